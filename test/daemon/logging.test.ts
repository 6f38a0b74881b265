/**
 * Log routing of the daemon processes: syslog datagrams (ident[pid], facility from -S),
 * -g files per process, -D detail, -G no syslog. A test socket stands in for /dev/log.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AF_UNIX, SOCK_DGRAM } from '../../adapters/linux/constants.js';
import { netio } from '../../adapters/linux/native.js';
import { sockaddrUn } from '../../adapters/linux/sockaddr.js';
import { createDaemonLogger } from '../../adapters/node/daemon/log-sinks.js';
import { TSX_EXEC_ARGV, WITH_VIRTUAL_SERVER, readPid, sleep, startDaemon, tempDir, until } from './fixtures/harness.js';

const tmp = tempDir('kts-g-log-');
afterAll(() => tmp.remove());

/** A unix datagram socket like /dev/log; returns everything received so far on each call. */
function syslogReceiver(path: string): { lines: () => string[]; close: () => void } {
  const io = netio();
  const fd = io.socket(AF_UNIX, SOCK_DGRAM, 0);
  io.bind(fd, sockaddrUn(path));
  const got: string[] = [];
  const buf = Buffer.alloc(8192);
  return {
    lines: () => {
      for (let i = 0; i < 10_000; i++) {
        const r = io.recvmsg(fd, buf, Buffer.alloc(128), Buffer.alloc(0));
        if (!r) break;
        got.push(buf.subarray(0, r[0]).toString());
      }
      return got;
    },
    close: () => io.close(fd),
  };
}

describe('daemon logging', () => {
  it('sends syslog(3)-shaped datagrams and honours -D', () => {
    const sock = join(tmp.dir, 'unit.sock');
    const rx = syslogReceiver(sock);
    try {
      const plain = createDaemonLogger({ role: 'vrrp', console: false, detail: false, syslog: true, facility: 'local3', syslogSocket: sock });
      plain.log('info', '(VI_1) Entering MASTER STATE');
      plain.log('debug', 'hidden without -D');
      plain.log('detail', '(VI_1) setting VIPs.');
      plain.log('error', 'two\nlines');
      plain.close();
      const detailed = createDaemonLogger({ role: 'checker', console: false, detail: true, syslog: true, facility: 'daemon', syslogSocket: sock });
      detailed.log('debug', 'shown with -D');
      detailed.log('detail', '(VI_1) setting VIPs.');
      detailed.close();
      const lines = rx.lines();
      expect(lines).toHaveLength(5);
      expect(lines[0]).toMatch(new RegExp(`^<158>\\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d Keepalived_vrrp\\[${process.pid}\\]: \\(VI_1\\) Entering MASTER STATE$`));
      expect(lines[1]).toMatch(/^<155>.* Keepalived_vrrp\[\d+\]: two$/);
      expect(lines[2]).toMatch(/^<155>.* Keepalived_vrrp\[\d+\]: lines$/);
      expect(lines[3]).toMatch(/^<31>.* Keepalived_healthcheckers\[\d+\]: shown with -D$/);
      // keepalived's -D lines: only with -D, and then at LOG_INFO as keepalived sends them
      expect(lines[4]).toMatch(/^<30>.* Keepalived_healthcheckers\[\d+\]: \(VI_1\) setting VIPs\.$/);
      // What a hot path asks before building a line (RuntimeSink.logs): the same rule.
      expect(['debug', 'detail', 'info', 'error'].map((l) => plain.enabled?.(l as 'info'))).toEqual([false, false, true, true]);
      expect(['debug', 'detail', 'info'].map((l) => detailed.enabled?.(l as 'info'))).toEqual([true, true, true]);
    } finally {
      rx.close();
    }
  });

  it('writes a line at the end of the task that logged it, in order, stamped when it was logged', async () => {
    const sock = join(tmp.dir, 'deferred.sock');
    const rx = syslogReceiver(sock);
    const file = join(tmp.dir, 'deferred.log');
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date(2026, 10, 22, 1, 24, 0));
      const l = createDaemonLogger({ role: 'vrrp', console: false, detail: false, syslog: true, facility: 'daemon', syslogSocket: sock, file });
      l.log('info', '(VI_1) Entering MASTER STATE');
      l.log('info', 'then\ntwo more');
      vi.setSystemTime(new Date(2026, 10, 22, 1, 25, 30));
      // Nothing written while the task that logged runs on (a takeover's GARPs go first).
      expect(rx.lines()).toEqual([]);
      expect(readFileSync(join(tmp.dir, 'deferred_vrrp.log'), 'utf8')).toBe('');
      await Promise.resolve();
      expect(rx.lines()).toEqual([
        `<30>Nov 22 01:24:00 Keepalived_vrrp[${process.pid}]: (VI_1) Entering MASTER STATE`,
        `<30>Nov 22 01:24:00 Keepalived_vrrp[${process.pid}]: then`,
        `<30>Nov 22 01:24:00 Keepalived_vrrp[${process.pid}]: two more`,
      ]);
      expect(readFileSync(join(tmp.dir, 'deferred_vrrp.log'), 'utf8')).toBe(
        'Sun Nov 22 01:24:00 2026: (VI_1) Entering MASTER STATE\nSun Nov 22 01:24:00 2026: then\nSun Nov 22 01:24:00 2026: two more\n',
      );
      l.close();
    } finally {
      vi.useRealTimers();
      rx.close();
    }
  });

  it('writes what is still waiting when the process exits at once', () => {
    const script = join(tmp.dir, 'exit-now.ts');
    const file = join(tmp.dir, 'exit.log');
    const sinks = resolve('adapters/node/daemon/log-sinks.ts');
    writeFileSync(
      script,
      `import { createDaemonLogger } from ${JSON.stringify(sinks)};
const l = createDaemonLogger({ role: 'parent', console: true, detail: false, syslog: false, facility: 'daemon', file: ${JSON.stringify(file)} });
l.log('error', 'last words');
process.exit(3);
`,
    );
    const r = spawnSync(process.execPath, [...TSX_EXEC_ARGV, script], { encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: last words\n$/);
    expect(readFileSync(file, 'utf8')).toMatch(/: last words\n$/);
  });

  it('a missing syslog socket drops lines silently (like syslog(3)); -G sends nothing', () => {
    const l = createDaemonLogger({ role: 'parent', console: false, detail: false, syslog: true, facility: 'daemon', syslogSocket: join(tmp.dir, 'absent.sock') });
    l.log('info', 'nowhere');
    l.close();
    const sock = join(tmp.dir, 'g.sock');
    const rx = syslogReceiver(sock);
    try {
      const g = createDaemonLogger({ role: 'parent', console: false, detail: false, syslog: false, facility: 'daemon', syslogSocket: sock });
      g.log('info', 'not sent');
      g.close();
      expect(rx.lines()).toEqual([]);
    } finally {
      rx.close();
    }
  });

  it('each daemon process logs under its own ident and pid; -g writes one file per process', async () => {
    const dir = tmp.dir;
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, WITH_VIRTUAL_SERVER);
    const sock = join(dir, 'dev-log');
    const rx = syslogReceiver(sock);
    const pids = { parent: join(dir, 'k.pid'), vrrp: join(dir, 'v.pid'), checker: join(dir, 'c.pid') };
    const d = startDaemon(['-n', '-S', '5', '-g', join(dir, 'ka.log'), '-f', conf, '-p', pids.parent, '-r', pids.vrrp, '-c', pids.checker], {
      KTS_FAKE_JOURNAL: join(dir, 'journal.jsonl'),
      TMPDIR: dir,
      KTS_SYSLOG_SOCKET: sock,
    });
    try {
      await until(() => rx.lines().some((l) => /Entering MASTER STATE/.test(l)), 'a VRRP line on syslog', 20_000);
      const parent = d.child.pid!;
      const vrrp = readPid(pids.vrrp)!;
      await until(() => readPid(pids.checker), 'the checker');
      const lines = rx.lines();
      // local5 = 21: info is <174>
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^<174>.* Keepalived\\[${parent}\\]: Starting Keepalived-ts v`)));
      expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^<174>.* Keepalived_vrrp\\[${vrrp}\\]: \\(VI_1\\) Entering MASTER STATE$`)));
      expect(d.output()).toBe(''); // no -l: nothing on the console
      d.kill('SIGTERM');
      expect((await d.exited()).code).toBe(0);
      await sleep(100);
      const parentLog = readFileSync(join(dir, 'ka.log'), 'utf8');
      const vrrpLog = readFileSync(join(dir, 'ka_vrrp.log'), 'utf8');
      expect(parentLog).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: Starting Keepalived-ts v/);
      expect(parentLog).toMatch(/: Stopped Keepalived-ts v/);
      expect(parentLog).not.toMatch(/Entering MASTER STATE/);
      expect(vrrpLog).toMatch(/: \(VI_1\) Entering MASTER STATE\n/);
      expect(vrrpLog).toMatch(/: \(VI_1\) removing VIPs\.\n/);
      expect(existsSync(join(dir, 'ka_healthcheckers.log'))).toBe(true);
    } finally {
      d.kill('SIGKILL');
      rx.close();
    }
  });
});
