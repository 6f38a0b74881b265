/**
 * Log lines against keepalived 2.2.7, line by line (issue 9 item 14). Each scenario runs twice,
 * in twin labs that look the same from inside (hosts a and b on a bridge, same interface names,
 * addresses, configuration): once with /usr/sbin/keepalived as the subject on host a, once with
 * keepalived-ts. Both run with `-n -l -D` and their own pid files. When a scenario needs a peer,
 * it is keepalived 2.2.7 on host b in both twins, so both subjects see the same adverts.
 * The subject's log is reduced to the lines about the instance (its name, its interface, its
 * script, its VIPs), timestamps and link-local addresses are normalised, and the two ordered
 * sequences must be equal. ALLOWED lists the lines we deliberately log differently, each with
 * its reason (docs/daemon.md "Log lines" says the same).
 *
 * Scenarios: becoming MASTER (VIPs, E-VIPs, the GARP/NA burst and the garp_master_delay burst)
 * and stopping as MASTER; a BACKUP that hears a priority-0 advert, takes over, is preempted by a
 * higher priority and is stopped as BACKUP; a tracked script that fails and recovers; the
 * instance's interface going down and up; an unweighted script failing from the start; a start
 * with the VIPs already on the interface. The first scenario also records the wire: on becoming
 * MASTER the first advert leaves before the first gratuitous ARP, as keepalived sends them.
 * Root and keepalived only.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonLab, haveKeepalived, KEEPALIVED, sleep, type DaemonHandle, type LabHost } from '../helpers/daemon-lab.js';
import { isRoot, mustRun, rootTitle, waitFor, type LabProcess } from '../helpers/netns.js';

type Kind = DaemonHandle['kind'];
const VIP = '198.51.100.100';
const EVIP = '2001:db8::100';

/**
 * Lines we log on purpose where keepalived does not (or not in its words), as patterns on the
 * normalised line. Each is explained in docs/daemon.md, "Log lines compared with keepalived".
 */
const ALLOWED: Array<{ kind: Kind; pattern: RegExp; reason: string }> = [
  {
    kind: 'ours',
    pattern: /^\(VI_1\) removed leftover VIP /,
    reason: 'with -D we name each leftover VIP/E-VIP removed at start-up (level debug); keepalived removes them silently',
  },
];

/** What the subject's log is reduced to: lines about the instance, its interface, script or VIPs. */
const ABOUT_INSTANCE = /\(VI_1\)|\bVI_1\b|\bkia\b|\bkitrk\b|VRRP_Script\(chk\)|Script `chk`|198\.51\.100\.100|2001:db8::100\b/;
/** A second link inside the subject's namespace (one end of a veth pair) for track_interface. */
const TRACKED = 'kitrk';
const STAMP = /^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}: /;

export function instanceLines(log: string, kind: Kind): string[] {
  return log
    .split('\n')
    .filter((l) => STAMP.test(l))
    .map((l) => l.replace(STAMP, '').replace(/fe80::[0-9a-f:]+/g, 'fe80::LL'))
    .filter((l) => !/^Command line:/.test(l) && ABOUT_INSTANCE.test(l))
    .filter((l) => !ALLOWED.some((a) => a.kind === kind && a.pattern.test(l)));
}

interface ConfOptions {
  priority: number;
  garpDelay?: number;
  /** track_script chk with this weight (0: FAULT when it fails). */
  scriptWeight?: number;
  evip?: boolean;
  trackInterface?: boolean;
  /** The configured initial state (default BACKUP). */
  state?: 'MASTER' | 'BACKUP';
}

function conf(h: LabHost, dir: string, o: ConfOptions): string {
  const script = o.scriptWeight !== undefined
    ? `vrrp_script chk {\n  script "${join(dir, 'chk.sh')}"\n  interval 1\n  fall 1\n  rise 1\n  weight ${o.scriptWeight}\n}\n`
    : '';
  return `global_defs {
  router_id ${h.name}
  enable_script_security
  script_user root
}
${script}vrrp_instance VI_1 {
  state ${o.state ?? 'BACKUP'}
  interface ${h.ifname}
  virtual_router_id 51
  priority ${o.priority}
  advert_int 1
  garp_master_delay ${o.garpDelay ?? 0}
${script ? '  track_script {\n    chk\n  }\n' : ''}${o.trackInterface ? `  track_interface {\n    ${TRACKED}\n  }\n` : ''}  virtual_ipaddress {
    ${VIP}/24
  }
${o.evip ? `  virtual_ipaddress_excluded {\n    ${EVIP}/64\n  }\n` : ''}}
`;
}

/** How many times `re` matched the daemon's log. */
const count = (d: DaemonHandle, re: RegExp): number => d.log().match(new RegExp(re.source, 'gm'))?.length ?? 0;

async function waitCount(d: DaemonHandle, re: RegExp, n: number, timeoutMs: number): Promise<void> {
  await waitFor(() => count(d, re) >= n, { timeoutMs, intervalMs: 50, what: `${n}× ${re} from ${d.kind}; log:\n${d.log()}` });
}

const MASTER = /\(VI_1\) Entering MASTER STATE/;
const BACKUP = /\(VI_1\) Entering BACKUP STATE$/;

/** One twin: a lab whose subject (host a) runs `kind`; host b runs keepalived when a peer is needed. */
class Twin {
  readonly lab: DaemonLab;
  a!: LabHost;
  b!: LabHost;
  private peers: DaemonHandle[] = [];

  constructor(readonly kind: Kind) {
    this.lab = new DaemonLab(kind === 'ours' ? 'kts-lo-' : 'kts-lk-');
  }

  async setup(): Promise<void> {
    await this.lab.setup(['a', 'b']);
    this.a = this.lab.host('a');
    this.b = this.lab.host('b');
    await mustRun(['ip', '-n', this.a.ns, 'link', 'add', TRACKED, 'type', 'veth', 'peer', 'name', `${TRACKED}p`]);
    for (const l of [TRACKED, `${TRACKED}p`]) await mustRun(['ip', '-n', this.a.ns, 'link', 'set', l, 'up']);
    writeFileSync(join(this.lab.dir, 'chk.sh'), `#!/bin/sh\nexit "$(cat ${join(this.lab.dir, 'flag')})"\n`, { mode: 0o755 });
    this.flag(0);
  }

  /** The script's exit code, replaced atomically (a script reading a truncated file exits 2). */
  flag(code: number): void {
    writeFileSync(join(this.lab.dir, 'flag.new'), String(code));
    renameSync(join(this.lab.dir, 'flag.new'), join(this.lab.dir, 'flag'));
  }

  subject(o: ConfOptions, detail = true): DaemonHandle {
    const text = conf(this.a, this.lab.dir, o);
    return this.kind === 'ours' ? this.lab.startOurs(this.a, text, { detail }) : this.lab.startKeepalived(this.a, text, { detail });
  }

  peer(priority: number): DaemonHandle {
    const d = this.lab.startKeepalived(this.b, conf(this.b, this.lab.dir, { priority }));
    this.peers.push(d);
    return d;
  }

  link(up: boolean, ifname = this.a.ifname): Promise<string> {
    return mustRun(['ip', '-n', this.a.ns, 'link', 'set', ifname, up ? 'up' : 'down']);
  }

  /** tcpdump of VRRP and ARP as they leave the subject's interface. */
  async capture(): Promise<LabProcess> {
    const p = this.lab.net.spawn(this.a.ns, ['timeout', '120', 'tcpdump', '--immediate-mode', '-l', '-n', '-e', '-i', this.a.ifname, 'arp or ip proto 112']);
    await p.waitFor(/listening on/, 10_000);
    return p;
  }
}

async function stopped(d: DaemonHandle): Promise<void> {
  await d.proc.stop(10_000);
}

describe.skipIf(!isRoot || !haveKeepalived)(rootTitle(`log lines, line by line against ${KEEPALIVED} 2.2.7 in twin labs`), () => {
  const twins = [new Twin('keepalived'), new Twin('ours')] as const;
  /** Both twins run the same steps at the same time; each returns its subject's log. */
  const both = (steps: (t: Twin) => Promise<DaemonHandle>): Promise<Array<{ kind: Kind; lines: string[]; log: string }>> =>
    Promise.all(
      twins.map(async (t) => {
        const d = await steps(t);
        return { kind: t.kind, lines: instanceLines(d.log(), t.kind), log: d.log() };
      }),
    );
  const same = (runs: Array<{ kind: Kind; lines: string[]; log: string }>): void => {
    const [k, o] = runs;
    expect(o!.lines, `keepalived-ts log:\n${o!.log}\nkeepalived log:\n${k!.log}`).toEqual(k!.lines);
  };

  beforeAll(async () => {
    await Promise.all(twins.map((t) => t.setup()));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(twins.map((t) => t.lab.cleanup()));
  });

  let wire: Record<Kind, string> = { keepalived: '', ours: '' };

  it('becoming MASTER, the garp_master_delay burst, stopping as MASTER', async () => {
    const runs = await both(async (t) => {
      const dump = await t.capture();
      const d = t.subject({ priority: 100, garpDelay: 2, evip: true });
      await waitCount(d, MASTER, 1, 60_000);
      await sleep(3000); // the second burst, 2 s after becoming MASTER
      await stopped(d);
      await sleep(300);
      wire[t.kind] = (await dump.stop(1000)) ?? '';
      return d;
    });
    same(runs);
  }, 180_000);

  it('on the wire: the first advert leaves before the first gratuitous ARP, as keepalived sends them', () => {
    for (const kind of ['keepalived', 'ours'] as const) {
      const lines = wire[kind].split('\n');
      const firstArp = lines.findIndex((l) => /Request who-has 198\.51\.100\.100 .*tell 198\.51\.100\.100/.test(l));
      const firstAdvert = lines.findIndex((l) => /198\.51\.100\.1 > 224\.0\.0\.18: VRRPv2, Advertisement, vrid 51, prio 100/.test(l));
      expect(firstArp, `${kind}: no GARP captured:\n${wire[kind]}`).toBeGreaterThanOrEqual(0);
      expect(firstAdvert, `${kind}: no advert captured:\n${wire[kind]}`).toBeGreaterThanOrEqual(0);
      expect(firstAdvert, `${kind} capture:\n${wire[kind]}`).toBeLessThan(firstArp);
    }
  });

  it('without -D: becoming MASTER and stopping say only what keepalived says without -D', async () => {
    const runs = await both(async (t) => {
      const d = t.subject({ priority: 100, evip: true }, false);
      await waitCount(d, MASTER, 1, 60_000);
      await sleep(1000);
      await stopped(d);
      return d;
    });
    same(runs);
    expect(runs[1]!.lines).toEqual(['(VI_1) Entering BACKUP STATE (init)', '(VI_1) Entering MASTER STATE']);
  }, 180_000);

  it('BACKUP hears priority 0 and takes over, is preempted by a higher priority, is stopped as BACKUP', async () => {
    const runs = await both(async (t) => {
      let peer = t.peer(200);
      await waitCount(peer, MASTER, 1, 60_000);
      const d = t.subject({ priority: 100 });
      await waitCount(d, /\(VI_1\) Entering BACKUP STATE \(init\)/, 1, 60_000);
      await sleep(2500);
      await stopped(peer);
      await waitCount(d, MASTER, 1, 15_000);
      await sleep(1500);
      peer = t.peer(200);
      await waitCount(d, BACKUP, 1, 20_000);
      await sleep(1500);
      await stopped(d);
      await stopped(peer);
      return d;
    });
    same(runs);
  }, 240_000);

  it('a tracked script fails and recovers (weight -20) while MASTER', async () => {
    const runs = await both(async (t) => {
      t.flag(0);
      const d = t.subject({ priority: 100, scriptWeight: -20 });
      await waitCount(d, MASTER, 1, 60_000);
      await sleep(1500);
      t.flag(1);
      await waitCount(d, /Changing effective priority from 100 to 80/, 1, 10_000);
      await sleep(1500);
      t.flag(0);
      await waitCount(d, /Changing effective priority from 80 to 100/, 1, 10_000);
      await sleep(1500);
      await stopped(d);
      return d;
    });
    same(runs);
  }, 180_000);

  it('a tracked script without weight fails (FAULT) and recovers while MASTER', async () => {
    const runs = await both(async (t) => {
      t.flag(0);
      const d = t.subject({ priority: 100, scriptWeight: 0 });
      await waitCount(d, MASTER, 1, 60_000);
      await sleep(1500);
      t.flag(1);
      await waitCount(d, /\(VI_1\) Entering FAULT STATE/, 1, 10_000);
      await sleep(1500);
      t.flag(0);
      await waitCount(d, BACKUP, 1, 10_000);
      await waitCount(d, MASTER, 2, 15_000);
      await sleep(1500);
      await stopped(d);
      return d;
    });
    same(runs);
  }, 180_000);

  it('a tracked script without weight fails from the start (FAULT), then succeeds', async () => {
    const runs = await both(async (t) => {
      t.flag(1);
      const d = t.subject({ priority: 100, scriptWeight: 0 });
      await waitCount(d, /VRRP_Script\(chk\) failed/, 1, 60_000);
      await sleep(2000);
      t.flag(0);
      await waitCount(d, MASTER, 1, 20_000);
      await sleep(1500);
      await stopped(d);
      return d;
    });
    same(runs);
  }, 180_000);

  it('an address owner (priority 255, state MASTER) waits for its unweighted script, then takes over', async () => {
    const runs = await both(async (t) => {
      t.flag(0);
      const d = t.subject({ priority: 255, state: 'MASTER', scriptWeight: 0 });
      await waitCount(d, MASTER, 1, 60_000);
      await sleep(1500);
      await stopped(d);
      return d;
    });
    same(runs);
  }, 180_000);

  it('starting with the VIP and E-VIP already on the interface (left by a crash)', async () => {
    const runs = await both(async (t) => {
      await mustRun(['ip', '-n', t.a.ns, 'addr', 'add', `${VIP}/24`, 'dev', t.a.ifname]);
      await mustRun(['ip', '-n', t.a.ns, 'addr', 'add', `${EVIP}/64`, 'dev', t.a.ifname, 'nodad']);
      const d = t.subject({ priority: 100, evip: true });
      await waitCount(d, MASTER, 1, 60_000);
      await sleep(1500);
      await stopped(d);
      return d;
    });
    same(runs);
    for (const t of twins) {
      const addrs = await mustRun(['ip', '-n', t.a.ns, 'addr', 'show', 'dev', t.a.ifname]);
      expect(addrs, `${t.kind} left a VIP behind`).not.toMatch(/198\.51\.100\.100|2001:db8::100/);
    }
  }, 180_000);

  it('a track_interface link goes down and comes back while MASTER', async () => {
    const runs = await both(async (t) => {
      const d = t.subject({ priority: 100, trackInterface: true });
      await waitCount(d, MASTER, 1, 60_000);
      await sleep(1500);
      await t.link(false, TRACKED);
      await waitCount(d, /\(VI_1\) Entering FAULT STATE/, 1, 10_000);
      await sleep(1500);
      await t.link(true, TRACKED);
      await waitCount(d, BACKUP, 1, 10_000);
      await waitCount(d, MASTER, 2, 15_000);
      await sleep(1500);
      await stopped(d);
      return d;
    });
    same(runs);
  }, 180_000);

  it("the instance's interface goes down and comes back", async () => {
    const runs = await both(async (t) => {
      const d = t.subject({ priority: 100 });
      await waitCount(d, MASTER, 1, 60_000);
      await sleep(1500);
      await t.link(false);
      await waitCount(d, /\(VI_1\) Entering FAULT STATE/, 1, 10_000);
      await sleep(1500);
      await t.link(true);
      await waitCount(d, BACKUP, 1, 10_000);
      await waitCount(d, MASTER, 2, 15_000);
      await sleep(1500);
      await stopped(d);
      return d;
    });
    same(runs);
  }, 180_000);
});
