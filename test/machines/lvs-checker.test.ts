/**
 * The checker statechart on SimClock: keepalived 2.2.7's failure counting per checker family
 * (research note lvs-checkers.md §1.3, checked line by line against keepalived/check/*.c), the
 * first-result rule, alpha, warmup, the probe deadline, MISC timing from the script's start,
 * dynamic weights and FILE_CHECK.
 *
 * Timings in every test unless said otherwise: warmup 0 (first run at 1 s), delay_loop 10 s,
 * delay_before_retry 2 s, connect_timeout 3 s, retry 1. A refused probe answers at once.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbeOutcome, ProbeRequest } from '../../actors/lvs/prober-port.js';
import { OK, REFUSED, RS, VS, exit, logsOnly, noActivation, script, startLvs, type Answer, type CheckerSpec, type Prober } from './lvs-harness.js';

const R = RS(0);
/** Down (refusing) during [from, to). */
const downDuring = (from: number, to: number, failure: ProbeOutcome = REFUSED): Prober => (_r, now) => ({ outcome: now >= from && now < to ? failure : OK });
const logLines = (t: ReturnType<typeof startLvs>) => t.lines((l) => logsOnly(l) && noActivation(l));
const one = (c: CheckerSpec, prober: Prober, extra: Partial<Parameters<typeof startLvs>[0]> = {}) => startLvs({ ...extra, realServers: [{ checkers: [c] }] }, prober);

let current: ReturnType<typeof startLvs> | undefined;
afterEach(() => {
  expect(current?.errors ?? []).toEqual([]);
  current = undefined;
});
const track = <T extends ReturnType<typeof startLvs>>(t: T): T => ((current = t), t);

describe('TCP_CHECK (check_tcp.c tcp_epilog)', () => {
  it('first result: one failure takes the checker down at once ("failed."), then 2.2.7 keeps cycling retries while down', () => {
    const t = track(one({ kind: 'TCP_CHECK' }, downDuring(0, 1e9)));
    t.clock.runUntil(26_000);
    expect(logLines(t)).toEqual([
      [0, `log: Gained quorum 1+0=1 <= 1 for VS ${VS}`],
      [1000, `log: TCP_CHECK on service ${R} failed.`],
      [1000, `log: Removing service ${R} from VS ${VS}`],
      [1000, `log: Lost quorum 1-0=1 > 0 for VS ${VS}`],
    ]);
    // down: delay_loop, then a retry after delay_before_retry, again and again (fixed only in v2.3.3)
    expect(t.probeTimes()).toEqual([1000, 11_000, 13_000, 23_000, 25_000]);
  });

  it('while up: retry+1 consecutive failures ("failed after 1 retries."), one success restores', () => {
    const t = track(one({ kind: 'TCP_CHECK' }, downDuring(20_000, 40_000)));
    t.clock.runUntil(56_000);
    expect(logLines(t)).toEqual([
      [0, `log: Gained quorum 1+0=1 <= 1 for VS ${VS}`],
      [1000, `log: TCP connection to ${R} success.`],
      [23_000, `log: TCP_CHECK on service ${R} failed after 1 retries.`],
      [23_000, `log: Removing service ${R} from VS ${VS}`],
      [23_000, `log: Lost quorum 1-0=1 > 0 for VS ${VS}`],
      [45_000, `log: TCP connection to ${R} success.`],
      [45_000, `log: Adding service ${R} to VS ${VS}`],
      [45_000, `log: Gained quorum 1+0=1 <= 1 for VS ${VS}`],
    ]);
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000, 23_000, 33_000, 35_000, 45_000, 55_000]);
  });

  it('a failure followed by a success while up is forgotten (retry counter back to 0)', () => {
    const t = track(one({ kind: 'TCP_CHECK', retry: 2 }, (_r, now) => ({ outcome: [21_000, 23_000, 35_000, 37_000].includes(now) ? REFUSED : OK })));
    t.clock.runUntil(40_000);
    // 21 s, 23 s fail, 25 s succeeds; 35 s, 37 s fail, 39 s succeeds: never three in a row
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000, 23_000, 25_000, 35_000, 37_000, 39_000]);
    expect(logLines(t).filter(([, l]) => l.includes('TCP_CHECK'))).toEqual([]);
  });

  it('retry 2 needs three consecutive failures; retry 0 goes down on the first ("failed.")', () => {
    const t2 = track(one({ kind: 'TCP_CHECK', retry: 2 }, downDuring(20_000, 1e9)));
    t2.clock.runUntil(30_000);
    expect(t2.lines((l) => l.includes('TCP_CHECK'))).toEqual([[25_000, `log: TCP_CHECK on service ${R} failed after 2 retries.`]]);
    const t0 = startLvs({ realServers: [{ checkers: [{ kind: 'TCP_CHECK', retry: 0 }] }] }, downDuring(20_000, 1e9));
    t0.clock.runUntil(30_000);
    expect(t0.lines((l) => l.includes('TCP_CHECK'))).toEqual([[21_000, `log: TCP_CHECK on service ${R} failed.`]]);
    expect(t0.probeTimes()).toEqual([1000, 11_000, 21_000]);
  });

  it('log_all_failures: "TCP connection to … failed." / "… timeout." for every failure while up', () => {
    const t = track(one({ kind: 'TCP_CHECK', logAllFailures: true }, (_r, now) => (now === 21_000 ? { outcome: REFUSED } : now === 23_000 ? undefined : { outcome: OK })));
    t.clock.runUntil(30_000);
    expect(logLines(t).filter(([time]) => time > 1000)).toEqual([
      [21_000, `log: TCP connection to ${R} failed.`],
      [26_000, `log: TCP connection to ${R} timeout.`],
      [26_000, `log: TCP_CHECK on service ${R} failed after 1 retries.`],
      [26_000, `log: Removing service ${R} from VS ${VS}`],
      [26_000, `log: Lost quorum 1-0=1 > 0 for VS ${VS}`],
    ]);
  });

  it('a local socket/bind error is not a failure: "TCP socket bind failed. Rescheduling." and delay_loop', () => {
    const t = track(one({ kind: 'TCP_CHECK' }, (_r, now) => ({ outcome: now === 11_000 ? { ok: false, failure: 'local-error', message: 'EADDRINUSE' } : OK })));
    t.clock.runUntil(22_000);
    expect(logLines(t).filter(([time]) => time > 1000)).toEqual([[11_000, 'log: TCP socket bind failed. Rescheduling.']]);
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000]);
  });

  it('alpha: starts down; the first success adds the server; the first failure only notifies DOWN', () => {
    const up = track(one({ kind: 'TCP_CHECK', alpha: true }, () => ({ outcome: OK })));
    up.clock.runUntil(2000);
    expect(up.lines(noActivation)).toEqual([
      [0, 'lb: addService'],
      [1000, `log: TCP connection to ${R} success.`],
      [1000, `log: Adding service ${R} to VS ${VS}`],
      [1000, 'lb: add 198.51.100.21:80 w1'],
      [1000, `notify: RS ${R} ${VS} UP`],
      [1000, `log: Gained quorum 1+0=1 <= 1 for VS ${VS}`],
      [1000, `notify: VS ${VS} UP`],
      [1000, `smtp: RS ${R} UP => TCP CHECK succeed on service <=`],
    ]);
    const down = startLvs({ realServers: [{ checkers: [{ kind: 'TCP_CHECK', alpha: true }] }] }, () => ({ outcome: REFUSED }));
    down.clock.runUntil(2000);
    expect(down.lines(noActivation)).toEqual([
      [0, 'lb: addService'],
      [1000, `log: TCP_CHECK on service ${R} failed.`],
      [1000, `notify: RS ${R} ${VS} DOWN`],
    ]);
  });
});

describe('UDP_CHECK and PING_CHECK (udp_epilog, icmp_epilog)', () => {
  it('UDP: first failure down ("failed."); while down no retries; while up retry+1 failures', () => {
    const first = track(one({ kind: 'UDP_CHECK' }, downDuring(0, 1e9)));
    first.clock.runUntil(22_000);
    expect(first.lines((l) => l.includes('UDP_CHECK'))).toEqual([[1000, `log: UDP_CHECK on service ${R} failed.`]]);
    expect(first.probeTimes()).toEqual([1000, 11_000, 21_000]);
    const up = startLvs({ realServers: [{ checkers: [{ kind: 'UDP_CHECK' }] }] }, downDuring(20_000, 40_000));
    up.clock.runUntil(44_000);
    expect(up.lines((l) => logsOnly(l) && l.includes('UDP'))).toEqual([
      [1000, `log: UDP connection to ${R} success.`],
      [23_000, `log: UDP_CHECK on service ${R} failed after 1 retries.`],
      [43_000, `log: UDP connection to ${R} success.`],
    ]);
    expect(up.probeTimes()).toEqual([1000, 11_000, 21_000, 23_000, 33_000, 43_000]);
  });

  it('UDP log_all_failures: reply mismatch and failure lines', () => {
    const t = track(one({ kind: 'UDP_CHECK', logAllFailures: true }, (_r, now) => ({ outcome: now === 11_000 ? { ok: false, failure: 'bad-reply', message: 'mismatch' } : now === 13_000 ? REFUSED : OK })));
    t.clock.runUntil(14_000);
    expect(t.lines((l) => logsOnly(l) && l.includes('UDP')).filter(([time]) => time > 1000)).toEqual([
      [11_000, `log: UDP check to ${R} reply data mismatch.`],
      [13_000, `log: UDP connection to ${R} failed.`],
      [13_000, `log: UDP_CHECK on service ${R} failed after 1 retries.`],
    ]);
  });

  it('PING: "ICMP CHECK on service R of VS failed after 1 retries." while up, "ICMP CHECK on service R failed." first', () => {
    const t = track(one({ kind: 'PING_CHECK' }, downDuring(20_000, 1e9)));
    t.clock.runUntil(34_000);
    expect(t.lines((l) => logsOnly(l) && l.includes('ICMP'))).toEqual([
      [1000, `log: ICMP connection to ${R} success.`],
      [23_000, `log: ICMP CHECK on service ${R} of ${VS} failed after 1 retries.`],
    ]);
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000, 23_000, 33_000]);
    const first = startLvs({ realServers: [{ checkers: [{ kind: 'PING_CHECK', logAllFailures: true }] }] }, () => undefined);
    first.clock.runUntil(5000);
    expect(first.lines((l) => logsOnly(l) && l.includes('ICMP'))).toEqual([
      [4000, `log: ICMP connection to address ${R} timeout.`],
      [4000, `log: ICMP CHECK on service ${R} failed.`],
    ]);
  });
});

describe('HTTP_GET / SSL_GET (check_http.c epilog, timeout_epilog)', () => {
  const url = (path: string) => ({ path, statusCodes: [[200, 299]] as Array<[number, number]>, regexNoMatch: false });
  const status: ProbeOutcome = { ok: false, failure: 'bad-status', message: 'HTTP status code' };

  it('first result: one failure is down, logged "failed after 1 retries." (timeout_epilog marks the checker as run first)', () => {
    const t = track(one({ kind: 'HTTP_GET', urls: [url('/')] }, downDuring(0, 1e9, status)));
    t.clock.runUntil(22_000);
    expect(t.lines((l) => l.includes('HTTP_CHECK'))).toEqual([[1000, `log: HTTP_CHECK on service ${R} failed after 1 retries.`]]);
    // while down the failed URL is polled every max(delay_before_retry, delay_loop), without counting
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000]);
  });

  it('while up: per URL, down when retries are exhausted; recovery walks every URL again, one per delay_loop', () => {
    const t = track(
      one({ kind: 'HTTP_GET', urls: [url('/a'), url('/b')] }, (req, now) => ({
        outcome: req.checker.urls[0]!.path === '/b' && now >= 20_000 && now < 40_000 ? status : OK,
      })),
    );
    t.clock.runUntil(80_000);
    expect(t.probes.map(([time, , path]) => `${time}${path}`)).toEqual([
      '1000/a', // first cycle: /a, then /b after delay_loop
      '11000/b',
      '21000/a',
      '31000/b', // fails: retry /b after delay_before_retry
      '33000/b', // fails again: down; the failed URL is re-polled every delay_loop
      '43000/b', // answers: the walk starts again at /a
      '53000/a',
      '63000/b', // all URLs passed: up
      '73000/a',
    ]);
    expect(t.lines((l) => logsOnly(l) && !l.includes('quorum') && noActivation(l))).toEqual([
      [11_000, `log: Remote Web server ${R} succeed on service.`],
      [33_000, `log: HTTP_CHECK on service ${R} failed after 1 retries.`],
      [33_000, `log: Removing service ${R} from VS ${VS}`],
      [43_000, `log: HTTP status code success to ${R} url(/b)`],
      [53_000, `log: HTTP status code success to ${R} url(/a)`],
      [63_000, `log: HTTP status code success to ${R} url(/b)`],
      [63_000, `log: Remote Web server ${R} succeed on service.`],
      [63_000, `log: Adding service ${R} to VS ${VS}`],
    ]);
  });

  it('while down a failed URL waits max(delay_before_retry, delay_loop); log_all_failures prints keepalived\'s epilog messages', () => {
    const t = track(one({ kind: 'HTTP_GET', urls: [url('/')], delayBeforeRetryMs: 15_000, logAllFailures: true }, (_r, now) => (now < 1500 ? { outcome: status } : undefined)));
    t.clock.runUntil(40_000);
    expect(t.probeTimes()).toEqual([1000, 16_000, 34_000]);
    expect(t.lines((l) => l.includes(' server') || l.includes('HTTP_CHECK'))).toEqual([
      [1000, `log: HTTP status code error to server ${R}.`],
      [1000, `log: HTTP_CHECK on service ${R} failed after 1 retries.`],
    ]);
  });

  it('the URL success line names the last test passed (digest, regex)', () => {
    const t = track(
      one({ kind: 'SSL_GET', alpha: true, urls: [{ ...url('/d'), digest: '0123456789abcdef0123456789abcdef' }, { ...url('/r'), regex: 'ok' }] }, () => ({ outcome: OK })),
    );
    t.clock.runUntil(12_000);
    expect(t.lines((l) => l.includes('url('))).toEqual([
      [1000, `log: MD5 digest success to ${R} url(/d)`],
      [11_000, `log: Regex match success to ${R} url(/r)`],
    ]);
  });

  it('alpha HTTP: the first failure reports nothing (no notify_down), unlike TCP_CHECK', () => {
    const t = track(one({ kind: 'HTTP_GET', alpha: true, urls: [url('/')] }, () => ({ outcome: status })));
    t.clock.runUntil(2000);
    expect(t.lines(noActivation)).toEqual([[0, 'lb: addService']]);
  });

  it('fast_recovery: while starting or recovering, the next URL follows at once', () => {
    const t = track(one({ kind: 'HTTP_GET', alpha: true, fastRecovery: true, urls: [url('/a'), url('/b'), url('/c')] }, () => ({ outcome: OK, afterMs: 100 })));
    t.clock.runUntil(12_000);
    expect(t.probes.map(([time, , path]) => `${time}${path}`)).toEqual(['1000/a', '1100/b', '1200/c', '11300/a']);
    expect(t.lines((l) => l.includes('Adding service'))).toEqual([[1300, `log: Adding service ${R} to VS ${VS}`]]);
  });
});

describe('SMTP_CHECK (check_smtp.c smtp_final; smtp_start_check_thread resets the count every cycle)', () => {
  it('first result needs retry+1 failures too; the error is logged when retries are exhausted', () => {
    const t = track(one({ kind: 'SMTP_CHECK' }, downDuring(0, 1e9)));
    t.clock.runUntil(28_000);
    expect(t.lines((l) => logsOnly(l) && noActivation(l) && !l.includes('quorum'))).toEqual([
      [3000, `log: SMTP_CHECK Error connecting to server [198.51.100.21]:80`],
      [3000, `log: Removing service ${R} from VS ${VS}`],
    ]);
    // down: the retries keep cycling, silently
    expect(t.probeTimes()).toEqual([1000, 3000, 13_000, 15_000, 25_000, 27_000]);
  });

  it('while up: retry+1 failures, keepalived\'s message, the mail body carries it; success logs "Remote SMTP server … succeed"', () => {
    const banner: ProbeOutcome = { ok: false, failure: 'bad-reply', message: 'Bad greeting banner' };
    const t = track(one({ kind: 'SMTP_CHECK', connectPort: 25 }, downDuring(20_000, 30_000, banner)));
    t.clock.runUntil(34_000);
    expect(t.lines((l) => /SMTP|smtp:/.test(l))).toEqual([
      [1000, `log: Remote SMTP server ${R} succeed on service.`],
      [23_000, 'log: SMTP_CHECK Bad greeting banner from server [198.51.100.21]:25'],
      [23_000, `smtp: RS ${R} DOWN => CHECK failed on service : Bad greeting banner from server [198.51.100.21]:25 <=`],
      [33_000, `log: Remote SMTP server ${R} succeed on service.`],
      [33_000, `smtp: RS ${R} UP => CHECK succeed on service <=`],
    ]);
  });
});

describe('DNS_CHECK (check_dns.c dns_final)', () => {
  it('first result: one failure is down; while up retry+1 (here 3, the DNS default) failures; while down no retries', () => {
    const t = track(one({ kind: 'DNS_CHECK', retry: 3 }, (_r, now) => (now >= 20_000 && now < 60_000 ? undefined : { outcome: OK })));
    t.clock.runUntil(75_000);
    expect(t.lines((l) => logsOnly(l) && l.includes('DNS_CHECK'))).toEqual([[39_000, `log: DNS_CHECK (${R}) read timeout from socket after 3 retries`]]);
    // 21 s times out at 24 s, then three retries 2 s after each timeout; down at 39 s; then every delay_loop, no retries
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000, 26_000, 31_000, 36_000, 49_000, 62_000, 72_000]);
    const first = startLvs({ realServers: [{ checkers: [{ kind: 'DNS_CHECK', retry: 3 }] }] }, () => ({ outcome: { ok: false, failure: 'bad-status', message: 'read error occurred. (rcode = 2)' } }));
    first.clock.runUntil(12_000);
    expect(first.lines((l) => logsOnly(l) && (l.includes('DNS_CHECK') || l.includes('Removing')))).toEqual([
      [1000, `log: DNS_CHECK (${R}) read error occurred. (rcode = 2)`],
      [1000, `log: Removing service ${R} from VS ${VS}`],
    ]);
    expect(first.probeTimes()).toEqual([1000, 11_000]);
  });
});

describe('MISC_CHECK (check_misc.c misc_check_child_thread)', () => {
  const misc = (extra: Partial<CheckerSpec> = {}): CheckerSpec => ({ kind: 'MISC_CHECK', retry: 0, misc: { command: script('/bin/chk'), dynamic: false }, ...extra });
  const who = `Misc check for [${R} VS ${VS}] by [/bin/chk]`;

  it('first result with the MISC default retry 0: "failed with retry disabled (exited with status 1)."', () => {
    const t = track(one(misc(), () => ({ outcome: exit(1), afterMs: 500 })));
    t.clock.runUntil(2000);
    expect(t.lines((l) => l.includes('Misc') || l.includes('Removing'))).toEqual([
      [1500, `log: ${who} failed with retry disabled (exited with status 1).`],
      [1500, `log: Removing service ${R} from VS ${VS}`],
    ]);
  });

  it('runs are timed from the script start (a 4 s script still runs every delay_loop)', () => {
    const t = track(one(misc(), () => ({ outcome: OK, afterMs: 4000 })));
    t.clock.runUntil(32_000);
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000, 31_000]);
    expect(t.lines((l) => l.includes('Misc'))).toEqual([[5000, `log: ${who} succeeded.`]]);
  });

  it('while up with retry 1: a retry at start + delay_before_retry, then "failed after 1 retry"; log_all_failures adds ", will do 1 retry"', () => {
    const t = track(one(misc({ retry: 1, logAllFailures: true }), (_r, now) => ({ outcome: now >= 20_000 && now < 40_000 ? exit(3) : OK, afterMs: 500 })));
    t.clock.runUntil(44_000);
    // down: no retries, next run at start + delay_loop
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000, 23_000, 33_000, 43_000]);
    expect(t.lines((l) => l.includes('Misc'))).toEqual([
      [1500, `log: ${who} succeeded.`],
      [21_500, `log: ${who} failed, will do 1 retry (exited with status 3).`],
      [23_500, `log: ${who} failed after 1 retry (exited with status 3).`],
      [43_500, `log: ${who} succeeded.`],
    ]);
  });

  it('a script that outlives misc_timeout counts as "timed out"; one that ran past its next start time runs again at once', () => {
    const t = track(one(misc({ misc: { command: script('/bin/chk'), dynamic: false, timeoutMs: 2500 }, retry: 1, delayBeforeRetryMs: 1000 }), (_r, now) => (now >= 20_000 ? undefined : { outcome: OK })));
    t.clock.runUntil(26_000);
    // 21 s: times out at 23.5 s; the retry was due at 22 s, so it starts at once
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000, 23_500]);
    expect(t.cancelled).toEqual([23_500, 26_000]);
    expect(t.lines((l) => l.includes('Misc'))).toEqual([
      [1000, `log: ${who} succeeded.`],
      [26_000, `log: ${who} timed out after 1 retry.`],
    ]);
  });

  it('misc_dynamic: exit 2..255 sets the weight to status − 2 (logged, table updated), exit 1 fails and drops the contribution', () => {
    const statuses = [5, 5, 2, 1, 7];
    let n = 0;
    const dyn = (s: number): ProbeOutcome => (s === 0 ? OK : s >= 2 ? { ok: true, weight: s - 2 } : exit(s));
    const t = track(one(misc({ misc: { command: script('/bin/chk'), dynamic: true } }), () => ({ outcome: dyn(statuses[Math.min(n++, statuses.length - 1)]!) })));
    t.clock.runUntil(45_000);
    expect(t.lines((l) => !l.startsWith('notify') && noActivation(l)).filter(([time]) => time > 0)).toEqual([
      [1000, `log: Changing weight from 1 to 3 for active service ${R} of VS ${VS}`],
      [1000, 'lb: set 198.51.100.21:80 w3'],
      [1000, `log: ${who} succeeded.`],
      [1000, `smtp: RS ${R} UP => MISC CHECK succeeded on service <=`],
      [21_000, `log: Changing weight from 3 to 0 for active service ${R} of VS ${VS}`],
      [21_000, 'lb: set 198.51.100.21:80 w0'],
      [21_000, `log: Lost quorum 1-0=1 > 0 for VS ${VS}`],
      [31_000, `log: ${who} failed with retry disabled (exited with status 1).`],
      [31_000, `log: Removing service ${R} from VS ${VS}`],
      [31_000, 'lb: del 198.51.100.21:80 w1'],
      [31_000, `smtp: RS ${R} DOWN => MISC CHECK failed on service <=`],
      [41_000, `log: Changing weight from 1 to 5 for inactive service ${R} of VS ${VS}`],
      [41_000, `log: ${who} succeeded.`],
      [41_000, `log: Adding service ${R} to VS ${VS}`],
      [41_000, 'lb: add 198.51.100.21:80 w5'],
      [41_000, `log: Gained quorum 1+0=1 <= 5 for VS ${VS}`],
      [41_000, `smtp: RS ${R} UP => MISC CHECK succeeded on service <=`],
    ]);
  });
});

describe('FILE_CHECK (track_file.c, no timers)', () => {
  it('weight 0: a non-zero value is down, zero is up; reverse inverts it', () => {
    const t = track(one({ kind: 'FILE_CHECK', file: { weight: 0, reverse: false, value: 0 } }, () => ({ outcome: OK })));
    t.clock.runUntil(100);
    t.checker(0).send({ type: 'file.value', value: 3 });
    t.checker(0).send({ type: 'file.value', value: 4 });
    t.checker(0).send({ type: 'file.value', value: 0 });
    expect(t.probes).toEqual([]);
    expect(t.lines(logsOnly)).toEqual([
      [0, `log: Gained quorum 1+0=1 <= 1 for VS ${VS}`],
      [100, `log: Removing service ${R} from VS ${VS}`],
      [100, `log: Lost quorum 1-0=1 > 0 for VS ${VS}`],
      [100, `log: Adding service ${R} to VS ${VS}`],
      [100, `log: Gained quorum 1+0=1 <= 1 for VS ${VS}`],
    ]);
    const rev = startLvs({ realServers: [{ checkers: [{ kind: 'FILE_CHECK', file: { weight: 0, reverse: true, value: 0 } }] }] });
    expect(rev.lines()).toEqual([[0, 'lb: addService']]);
  });

  it('weight W: value × W is added to the real server weight (reverse negates); ≤ INT32_MIN is a fault', () => {
    const t = track(one({ kind: 'FILE_CHECK', file: { weight: 2, reverse: false, value: 5 } }, () => ({ outcome: OK })));
    expect(t.lines()).toEqual([
      [0, 'lb: addService'],
      [0, 'lb: add 198.51.100.21:80 w11'],
      [0, `log: Gained quorum 1+0=1 <= 11 for VS ${VS}`],
      [0, `notify: VS ${VS} UP`],
    ]);
    t.checker(0).send({ type: 'file.value', value: -1 });
    t.checker(0).send({ type: 'file.value', value: -1_073_741_824 }); // × 2 = INT32_MIN: fault
    t.checker(0).send({ type: 'file.value', value: 10 });
    expect(t.lines().slice(4)).toEqual([
      [0, `log: Changing weight from 11 to 0 for active service ${R} of VS ${VS}`],
      [0, 'lb: set 198.51.100.21:80 w0'],
      [0, `log: Lost quorum 1-0=1 > 0 for VS ${VS}`],
      [0, `notify: VS ${VS} DOWN`],
      [0, `log: Removing service ${R} from VS ${VS}`],
      [0, 'lb: del 198.51.100.21:80 w0'],
      [0, `notify: RS ${R} ${VS} DOWN`],
      [0, `log: Adding service ${R} to VS ${VS}`],
      [0, 'lb: add 198.51.100.21:80 w21'],
      [0, `notify: RS ${R} ${VS} UP`],
      [0, `log: Gained quorum 1+0=1 <= 21 for VS ${VS}`],
      [0, `notify: VS ${VS} UP`],
    ]);
    const rev = startLvs({ realServers: [{ checkers: [{ kind: 'FILE_CHECK', file: { weight: 2, reverse: true, value: -5 } }] }] });
    expect(rev.lines((l) => l.startsWith('lb: add '))).toEqual([[0, 'lb: add 198.51.100.21:80 w11']]);
  });

  it('a file in fault at start keeps the server out from the start', () => {
    const t = track(one({ kind: 'FILE_CHECK', file: { weight: 0, reverse: false, value: 1 } }, () => ({ outcome: OK })));
    expect(t.lines()).toEqual([[0, 'lb: addService']]);
    t.checker(0).send({ type: 'file.value', value: 0 });
    expect(t.lines((l) => l.includes('Adding'))).toEqual([[0, `log: Adding service ${R} to VS ${VS}`]]);
  });
});

describe('scheduling', () => {
  it('warmup: first run at 1 s + warmup × draw; unset warmup is delay_loop; warmup 0 is 1 s', () => {
    const half = track(one({ kind: 'TCP_CHECK', warmupMs: 4000, warmupDraw: 0.5 }, () => ({ outcome: OK })));
    half.clock.runUntil(3500);
    expect(half.probeTimes()).toEqual([3000]);
    const dflt = startLvs({ realServers: [{ checkers: [{ kind: 'TCP_CHECK', warmupMs: undefined, warmupDraw: 0.25 }] }] });
    dflt.clock.runUntil(4000);
    expect(dflt.probeTimes()).toEqual([3500]);
  });

  it('one absolute deadline per attempt: a probe that never answers is stopped at connect_timeout and counts as a failure', () => {
    const t = track(one({ kind: 'TCP_CHECK' }, () => undefined));
    t.clock.runUntil(15_000);
    // the first result takes it down, and the next run follows delay_loop after the deadline
    expect(t.probeTimes()).toEqual([1000, 14_000]);
    expect(t.cancelled).toEqual([4000]);
    expect(t.lines((l) => l.includes('TCP_CHECK'))).toEqual([[4000, `log: TCP_CHECK on service ${R} failed.`]]);
  });

  it('an answer exactly at the deadline loses: the deadline is armed first', () => {
    const t = track(one({ kind: 'TCP_CHECK' }, () => ({ outcome: OK, afterMs: 3000 })));
    t.clock.runUntil(5000);
    expect(t.lines((l) => l.includes('TCP_CHECK'))).toEqual([[4000, `log: TCP_CHECK on service ${R} failed.`]]);
    const early = startLvs({ realServers: [{ checkers: [{ kind: 'TCP_CHECK' }] }] }, () => ({ outcome: OK, afterMs: 2999 }));
    early.clock.runUntil(5000);
    expect(early.lines((l) => l.includes('TCP'))).toEqual([[3999, `log: TCP connection to ${R} success.`]]);
  });

  it('the period is delay_loop after the check finished (a slow answer pushes the next run)', () => {
    const t = track(one({ kind: 'TCP_CHECK' }, () => ({ outcome: OK, afterMs: 700 })));
    t.clock.runUntil(24_000);
    expect(t.probeTimes()).toEqual([1000, 11_700, 22_400]);
  });

  it('an unknown checker kind (BFD_CHECK) logs a warning once and stays as it started', () => {
    const t = track(one({ kind: 'BFD_CHECK' }, () => ({ outcome: OK })));
    t.clock.runUntil(30_000);
    expect(t.probes).toEqual([]);
    expect(t.lines((l) => l.includes('BFD'))).toEqual([[0, `log: BFD_CHECK for service ${R} of VS ${VS} is not supported; the checker counts as up`]]);
  });

  it('a probe actor that crashes is logged and retried at delay_loop; the checker state is untouched', () => {
    const t = track(one({ kind: 'TCP_CHECK' }, (_r, now) => {
      if (now === 11_000) throw new Error('prober bug');
      return { outcome: OK };
    }));
    t.clock.runUntil(22_000);
    expect(t.lines((l) => l.includes('prober bug'))).toEqual([[11_000, `log: TCP_CHECK probe for service ${R} failed to run (prober bug). Rescheduling.`]]);
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000]);
    expect(t.rs(0).getSnapshot().value).toBe('alive');
  });
});

describe('healthy checks without a macrostep (the `healthy` state and its probe loop)', () => {
  const url = (path: string) => ({ path, statusCodes: [[200, 299]] as Array<[number, number]>, regexNoMatch: false });
  /** XState events delivered to the checkers from `from` on. */
  const checkerEvents = (t: ReturnType<typeof startLvs>) => {
    const seen: string[] = [];
    t.root.system.inspect((e) => {
      if (e.type === '@xstate.event' && (e.actorRef as unknown as { id: string }).id.startsWith('lvs/check/')) seen.push(e.event.type);
    });
    return seen;
  };

  it('after the first success a TCP_CHECK is `healthy`: its repeat runs reach the chart as no event at all, on the same schedule', () => {
    const t = track(one({ kind: 'TCP_CHECK' }, () => ({ outcome: OK, afterMs: 700 })));
    t.clock.runUntil(2000);
    expect(t.checker(0).getSnapshot().value).toBe('healthy');
    const events = checkerEvents(t);
    t.clock.runUntil(100_000);
    expect(events).toEqual([]);
    expect(t.probeTimes()).toEqual([1000, 11_700, 22_400, 33_100, 43_800, 54_500, 65_200, 75_900, 86_600, 97_300]);
    expect(t.checker(0).getSnapshot().value).toBe('healthy');
  });

  it('a failure in the loop is counted by the chart as before: retry, then "failed after 1 retries.", then the old path until the server is steady again', () => {
    const prober = (_r: ProbeRequest, now: number) => ({ outcome: now >= 30_000 && now < 40_000 ? REFUSED : OK });
    const t = track(one({ kind: 'TCP_CHECK' }, prober));
    t.clock.runUntil(2000);
    const events = checkerEvents(t);
    t.clock.runUntil(70_000);
    expect(logLines(t)).toEqual([
      [0, `log: Gained quorum 1+0=1 <= 1 for VS ${VS}`],
      [1000, `log: TCP connection to ${R} success.`],
      [33_000, `log: TCP_CHECK on service ${R} failed after 1 retries.`],
      [33_000, `log: Removing service ${R} from VS ${VS}`],
      [33_000, `log: Lost quorum 1-0=1 > 0 for VS ${VS}`],
      [43_000, `log: TCP connection to ${R} success.`],
      [43_000, `log: Adding service ${R} to VS ${VS}`],
      [43_000, `log: Gained quorum 1+0=1 <= 1 for VS ${VS}`],
    ]);
    expect(t.probeTimes()).toEqual([1000, 11_000, 21_000, 31_000, 33_000, 43_000, 53_000, 63_000]);
    // 31 s: the loop's failure; 33 s and 43 s: the chart's own runs (its timer, then the answer); then the loop again
    expect(events).toEqual(['probe.result', 'xstate.after.nextRun.lvsChecker.waiting', 'probe.result', 'xstate.after.nextRun.lvsChecker.waiting', 'probe.result']);
    expect(t.checker(0).getSnapshot().value).toBe('healthy');
  });

  it('the deadline in the loop: armed first, so an answer at exactly connect_timeout loses and counts as a timeout', () => {
    const prober = (_r: ProbeRequest, now: number) => ({ outcome: OK, afterMs: now === 11_000 ? 3000 : 0 });
    const t = track(one({ kind: 'TCP_CHECK', logAllFailures: true }, prober));
    t.clock.runUntil(20_000);
    expect(logLines(t).filter(([time]) => time > 1000)).toEqual([[14_000, `log: TCP connection to ${R} timeout.`]]);
    expect(t.probeTimes()).toEqual([1000, 11_000, 16_000]);
    expect(t.checker(0).getSnapshot().value).toBe('healthy');
  });

  it('ha_suspend while healthy: runs stop at the next due time and resume where the chart would resume them', () => {
    const spec = { haSuspend: true, addressCount: 1, realServers: [{ checkers: [{ kind: 'TCP_CHECK' as const }] }] };
    const runs = [true, false].map((loop) => {
      const t = startLvs(spec, () => ({ outcome: OK, afterMs: 300 }), { loop });
      const address = (at: number, added: boolean) => t.clock.at(at, () => t.vs().send({ type: 'vs.address', added }));
      // while waiting; during an attempt (51.6 s … 51.9 s) and back before the next run;
      // during an attempt (72.2 s … 72.5 s) and past the next run
      address(15_000, false);
      address(44_000, true);
      address(51_700, false);
      address(52_000, true);
      address(72_300, false);
      address(85_000, true);
      t.clock.runUntil(95_000);
      return { probes: t.probeTimes(), lines: t.lines(), state: t.checker(0).getSnapshot().value };
    });
    // due at 21.6, 31.6, 41.6 s while suspended: skipped; due at 82.5 s while suspended: skipped
    expect(runs[0]!.probes).toEqual([1000, 11_300, 51_600, 61_900, 72_200, 92_500]);
    expect(runs[0]!.state).toBe('healthy');
    expect(runs[1]!.state).toBe('waiting');
    expect(runs[0]).toEqual({ ...runs[1]!, state: 'healthy' });
  });

  it('stopping a healthy checker (reload, shutdown) ends its loop: the wait is cleared, an attempt in flight cancelled', () => {
    const t = track(one({ kind: 'TCP_CHECK' }, (_r, now) => (now < 10_000 ? { outcome: OK } : undefined)));
    t.clock.runUntil(12_000);
    expect(t.checker(0).getSnapshot().value).toBe('healthy');
    t.root.send({ type: 'stop', id: 'lvs/check/1/0/0' });
    expect(t.cancelled).toEqual([12_000]);
    t.clock.runUntil(60_000);
    expect(t.probeTimes()).toEqual([1000, 11_000]);

    const waiting = startLvs({ realServers: [{ checkers: [{ kind: 'TCP_CHECK' }] }] });
    waiting.clock.runUntil(5000);
    const before = waiting.clock.pending();
    waiting.root.send({ type: 'stop', id: 'lvs/check/1/0/0' });
    expect(waiting.clock.pending()).toBe(before - 1);
    waiting.clock.runUntil(60_000);
    expect(waiting.probeTimes()).toEqual([1000]);
  });

  it('HTTP_GET with several urls, MISC_CHECK, fast_recovery while down, and a down or alpha checker stay on the chart path', () => {
    const http = track(one({ kind: 'HTTP_GET', urls: [url('/a'), url('/b')] }, () => ({ outcome: OK })));
    http.clock.runUntil(30_000);
    expect(http.checker(0).getSnapshot().value).toBe('waiting');
    const misc = startLvs({ realServers: [{ checkers: [{ kind: 'MISC_CHECK', retry: 0, misc: { command: script('/bin/chk'), dynamic: false } }] }] });
    misc.clock.runUntil(30_000);
    expect(misc.checker(0).getSnapshot().value).toBe('waitingForMark');
    const down = startLvs({ realServers: [{ checkers: [{ kind: 'TCP_CHECK' }] }] }, () => ({ outcome: REFUSED }));
    down.clock.runUntil(30_000);
    expect(down.checker(0).getSnapshot().value).toBe('waiting');
    const one1 = startLvs({ realServers: [{ checkers: [{ kind: 'HTTP_GET', urls: [url('/')] }, { kind: 'SMTP_CHECK' }, { kind: 'DNS_CHECK' }, { kind: 'UDP_CHECK' }, { kind: 'PING_CHECK' }] }] });
    one1.clock.runUntil(30_000);
    expect([0, 1, 2, 3, 4].map((j) => one1.checker(0, j).getSnapshot().value)).toEqual(['healthy', 'healthy', 'healthy', 'healthy', 'healthy']);
  });

  it('every kind, random outcomes, timings and ha_suspend toggles: the same lines, probes and cancellations with the loop as without it', () => {
    const kinds: CheckerSpec[] = [
      { kind: 'TCP_CHECK' },
      { kind: 'TCP_CHECK', retry: 0, logAllFailures: true },
      { kind: 'TCP_CHECK', alpha: true, retry: 2, delayBeforeRetryMs: 0 },
      { kind: 'HTTP_GET', urls: [url('/')] },
      { kind: 'HTTP_GET', urls: [url('/a'), url('/b')], fastRecovery: true },
      { kind: 'SSL_GET', urls: [url('/')], alpha: true, fastRecovery: true },
      { kind: 'SMTP_CHECK', retry: 2 },
      { kind: 'DNS_CHECK', logAllFailures: true },
      { kind: 'UDP_CHECK' },
      { kind: 'PING_CHECK', alpha: true },
      { kind: 'MISC_CHECK', retry: 1, misc: { command: script('/bin/chk'), dynamic: true, timeoutMs: 2500 } },
    ];
    const outcomes: Array<(afterMs: number) => Answer> = [
      (afterMs) => ({ outcome: OK, afterMs }),
      (afterMs) => ({ outcome: OK, afterMs }),
      (afterMs) => ({ outcome: OK, afterMs }),
      (afterMs) => ({ outcome: OK, afterMs }),
      (afterMs) => ({ outcome: OK, afterMs }),
      (afterMs) => ({ outcome: REFUSED, afterMs }),
      (afterMs) => ({ outcome: { ok: false, failure: 'timeout', message: 'timeout' }, afterMs }),
      (afterMs) => ({ outcome: { ok: false, failure: 'bad-status', message: 'HTTP status code error to' }, afterMs }),
      (afterMs) => ({ outcome: { ok: false, failure: 'local-error', message: 'bind failed' }, afterMs }),
      (afterMs) => ({ outcome: { ok: true, weight: afterMs % 3 }, afterMs }),
      () => undefined,
      () => {
        throw new Error('prober bug');
      },
    ];
    const delays = [0, 0, 5, 700, 2999, 3000, 2500, 1000];
    for (let seed = 1; seed <= 12; seed++) {
      const runs = [true, false].map((loop) => {
        let s = seed * 7919;
        const draw = (n: number) => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n);
        const spec = { haSuspend: true, addressCount: 1, realServers: kinds.map((k) => ({ checkers: [{ ...k, delayLoopMs: 5000 }] })) };
        const t = startLvs(spec, () => {
          // mostly healthy stretches, with bursts of trouble
          const pick = draw(4) === 0 ? draw(outcomes.length) : draw(5);
          return outcomes[pick]!(delays[draw(delays.length)]!);
        }, { loop });
        for (let at = 7000; at < 300_000; at += 1000 + draw(40_000)) {
          const added = draw(3) !== 0;
          t.clock.at(at, () => t.vs().send({ type: 'vs.address', added }));
        }
        t.clock.runUntil(300_000);
        return { lines: t.lines(), probes: t.probes, cancelled: t.cancelled, states: kinds.map((_, i) => t.checker(i).getSnapshot().value), errors: t.errors };
      });
      expect(runs[0]!.probes.length).toBeGreaterThan(200);
      expect(runs[0], `seed ${seed}`).toEqual({ ...runs[1]!, states: runs[0]!.states });
    }
  });
});
