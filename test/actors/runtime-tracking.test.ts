/**
 * Tracking through the whole runtime (K-12, K-13): vrrp_script weights move the effective
 * priority and hand mastership over; an interface going down is FAULT with a priority-0 advert.
 */
import { describe, expect, it } from 'vitest';
import { twoNodes, vi1 } from './two-nodes.js';

const conf = vi1;
const pair = (confA: string, confB: string) => twoNodes(confA, confB, false);

describe('vrrp_script through the runtime (K-13)', () => {
  it('a failing weighted script lowers the master below the backup, which then takes over', () => {
    const script = 'vrrp_script chk { script "/usr/local/bin/chk"\n interval 2\n weight -60\n fall 2\n rise 1 }';
    const t = pair(conf(150, 'track_script { chk }', script), conf(100));
    t.rtA.start();
    t.rtB.start();
    t.lan.clock.runUntil(9000);
    expect(t.rtA.status()[0]).toMatchObject({ state: 'MASTER', effectivePriority: 150 });
    // The script starts failing: runs at 10 s and 12 s fail (fall 2) → 150 − 60 = 90 at 12.01 s.
    t.a.scripts['/usr/local/bin/chk'] = { exitCode: 1 };
    t.lan.clock.runUntil(20_000);
    const prio = t.events.filter(([n, e]) => n === 'a' && e.type === 'instance.priority').map(([, e]) => [e.at, (e as { priority: number }).priority]);
    expect(prio).toEqual([[12_010, 90]]);
    expect(t.a.logLines()).toEqual(expect.arrayContaining(['Script `chk` now returning 1', 'VRRP_Script(chk) failed (exited with status 1)', '(VI_1) Changing effective priority from 150 to 90']));
    // B (100, preempt) discards A's lower adverts and takes over at its own Master_Down_Interval
    // counted from the last advert it accepted (A's at ~11.414 s + 0.1 ms): 11 414.162 + 3 609.375.
    const tail = t.states().slice(-2);
    expect(tail).toEqual([
      [15_023.537, 'b', 'MASTER', 'master-down'],
      [15_023.637, 'a', 'BACKUP', 'higher-priority'],
    ]);
    expect(t.a.logLines()).toContain('(VI_1) Master received advert from 198.51.100.2 with higher priority 100, ours 90');
    expect(t.b.logLines()).toContain('(VI_1) received lower priority (90) advert from 198.51.100.1 - discarding');
    expect(t.a.vips()).toEqual([]);
    expect(t.b.vips()).toEqual(['198.51.100.100/24']);
  });

  it('an unweighted script holds the instance until its first result, then FAULT on failure (silent, as keepalived)', () => {
    const script = 'vrrp_script chk { script "/bin/chk"\n interval 1 }';
    const t = pair(conf(150, 'track_script { chk }', script), conf(100));
    t.a.scripts['/bin/chk'] = { exitCode: 2, durationMs: 300 };
    t.rtA.start();
    t.lan.clock.runUntil(900);
    expect(t.states()).toEqual([[300, 'a', 'FAULT', 'scripts-ready']]);
    expect(t.a.logLines()).toContain('VRRP_Script(chk) failed (exited with status 2)');
    // keepalived holds the instance in a FAULT it does not log: no "Entering FAULT STATE (init)"
    expect(t.a.logLines().filter((l) => /Entering/.test(l))).toEqual([]);
    // keepalived's words only: the script's own line says why, no "(VI_1) script chk failed"
    expect(t.a.logLines().filter((l) => /script chk/.test(l))).toEqual([]);
    t.a.scripts['/bin/chk'] = { exitCode: 0, durationMs: 300 };
    t.lan.clock.runUntil(2000);
    expect(t.states().slice(1)).toEqual([[1300, 'a', 'BACKUP', 'fault-cleared']]);
    expect(t.a.logLines().filter((l) => /Entering/.test(l))).toEqual(['(VI_1) Entering BACKUP STATE']);
  });

  it('an unweighted script that succeeds first: "Entering BACKUP STATE", not "(init)", as keepalived', () => {
    const script = 'vrrp_script chk { script "/bin/chk"\n interval 1 }';
    const t = pair(conf(150, 'track_script { chk }', script), conf(100));
    t.a.scripts['/bin/chk'] = { exitCode: 0, durationMs: 300 };
    t.rtA.start();
    t.lan.clock.runUntil(900);
    expect(t.states()).toEqual([[300, 'a', 'BACKUP', 'scripts-ready']]);
    const lines = t.a.logLines();
    expect(lines.slice(lines.indexOf('VRRP_Script(chk) succeeded'))).toEqual(['VRRP_Script(chk) succeeded', '(VI_1) Entering BACKUP STATE']);
  });
});

describe('interfaces (K-12)', () => {
  it("the master's link going down is FAULT: VIPs released, the backup takes over; link up → BACKUP", () => {
    const t = pair(conf(150), conf(100));
    t.rtA.start();
    t.rtB.start();
    t.lan.clock.runUntil(5000);
    t.a.setLink(false);
    t.lan.clock.runUntil(12_000);
    expect(t.states().filter(([at]) => (at as number) >= 5000)).toEqual([
      [5000, 'a', 'FAULT', 'fault'],
      // B's last accepted advert from A arrived at 4414.162: 4414.162 + 3609.375.
      [8023.537, 'b', 'MASTER', 'master-down'],
    ]);
    expect(t.a.vips()).toEqual([]);
    // keepalived's order: the link first, then the state, then what leaving MASTER does (-D)
    const down = t.a.logLines().slice(t.a.logLines().indexOf('Netlink reports eth0 down'));
    expect(down.slice(0, 2)).toEqual(['Netlink reports eth0 down', '(VI_1) Entering FAULT STATE']);
    expect(down).toContain('(VI_1) sent 0 priority');
    expect(down.indexOf('(VI_1) removing VIPs.')).toBeGreaterThan(down.indexOf('(VI_1) sent 0 priority'));
    expect(t.a.logLines()).not.toContain('(VI_1) interface eth0 down');
    t.a.setLink(true);
    t.lan.clock.runUntil(20_000);
    // Back as BACKUP at 12 s; A (150) preempts B (100) at its Master_Down_Interval from... it hears
    // B's adverts with priority 100 < 150 and discards them, so it times out at 12 s + 3.414062 s.
    expect(t.states().filter(([at]) => (at as number) >= 12_000)).toEqual([
      [12_000, 'a', 'BACKUP', 'fault-cleared'],
      [15_414.062, 'a', 'MASTER', 'master-down'],
      [15_414.162, 'b', 'BACKUP', 'higher-priority'],
    ]);
  });
});
