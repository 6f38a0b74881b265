/**
 * Two keepalived-ts daemons (the real CLI, forked VRRP children) and an observer on bridges in
 * network namespaces, one daemon lab for the whole file. Each feature is its own vrrp_instance in
 * the same two configurations, so one start-up serves all of them:
 *   VI_EQ  equal priority on an isolated bridge (br2): both MASTER, then joined → higher address wins
 *   VI_TS  track_script weight: a script the test flips between exit 0/1 moves the master
 *   VI_TI  track_interface on a spare veth link: down → FAULT and the VIP moves, up → recovery
 *   VI_S1/VI_S2  a sync group over br0 and br1: one link down moves both
 *   VI_U   unicast_src_ip/unicast_peer      VI_6  IPv6 VRRPv3
 *   VI_NP  nopreempt      VI_PD  preempt_delay
 * then SIGHUP with an unchanged configuration (no transition); kill -9 of daemon A: B takes over
 * and the observer sees B's gratuitous ARPs; the restarted A preempts VI_TI at once, VI_PD only
 * after its delay, and VI_NP not at all; finally kill -9 of A's VRRP child alone: the parent
 * respawns it and the new child sweeps the leftover VIPs and takes them back.
 * Covered elsewhere, not repeated here: priority election, kill -9 of the whole master daemon,
 * preemption after a restart, SIGTERM hand-over and SIGHUP with a broken or changed configuration
 * (test/daemon/failover.test.ts). Root only.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonLab, sleep, type DaemonHandle, type LabHost } from '../helpers/daemon-lab.js';
import { isRoot, mustRun, rootTitle, waitFor } from '../helpers/netns.js';

// VRRPv3 advert interval (s). 1 s, not less: with two cores shared by tsx start-ups and other
// test files, a shorter master-down interval (3 × advert) lets a busy node's peer take over.
const ADV = 1;
const PREEMPT_DELAY_S = 4;
const VIP = { EQ: '203.0.113.110', TS: '198.51.100.111', TI: '198.51.100.112', S1: '198.51.100.113', S2: '203.0.113.114', U: '198.51.100.115', V6: '2001:db8::116', NP: '198.51.100.117', PD: '198.51.100.118' };
const INSTANCES = ['VI_EQ', 'VI_TS', 'VI_TI', 'VI_S1', 'VI_S2', 'VI_U', 'VI_6', 'VI_NP', 'VI_PD'];

function instance(name: string, o: { ifname: string; vrid: number; priority: number; vip: string; extra?: string }): string {
  return `vrrp_instance ${name} {
  state BACKUP
  interface ${o.ifname}
  virtual_router_id ${o.vrid}
  version 3
  priority ${o.priority}
  advert_int ${ADV}
${o.extra ?? ''}  virtual_ipaddress {
    ${o.vip}/${o.vip.includes(':') ? 64 : 24}
  }
}
`;
}

/** A is "high" (150; VI_TS 100 + script weight 60), B is "low" (100; VI_TS 130). */
function conf(me: LabHost, peer: LabHost, high: boolean, dir: string): string {
  const p = high ? 150 : 100;
  const i = me.ifname;
  return `global_defs {
  router_id ${me.name}
  enable_script_security
  script_user root
}
vrrp_script chk_flag {
  script "${join(dir, 'chk.sh')}"
  interval 1
  fall 1
  rise 1
  weight 60
}
vrrp_sync_group VG_1 {
  group {
    VI_S1
    VI_S2
  }
}
${instance('VI_EQ', { ifname: `${i}2`, vrid: 10, priority: 100, vip: VIP.EQ })}
${instance('VI_TS', { ifname: i, vrid: 11, priority: high ? 100 : 130, vip: VIP.TS, extra: high ? '  track_script {\n    chk_flag\n  }\n' : '' })}
${instance('VI_TI', { ifname: i, vrid: 12, priority: p, vip: VIP.TI, extra: high ? '  track_interface {\n    kidummy\n  }\n' : '' })}
${instance('VI_S1', { ifname: i, vrid: 13, priority: p, vip: VIP.S1 })}
${instance('VI_S2', { ifname: `${i}1`, vrid: 14, priority: p, vip: VIP.S2 })}
${instance('VI_U', { ifname: i, vrid: 15, priority: p, vip: VIP.U, extra: `  unicast_src_ip ${me.ipv4}\n  unicast_peer {\n    ${peer.ipv4}\n  }\n` })}
${instance('VI_6', { ifname: i, vrid: 16, priority: p, vip: VIP.V6 })}
${instance('VI_NP', { ifname: i, vrid: 17, priority: p, vip: VIP.NP, extra: '  nopreempt\n' })}
${instance('VI_PD', { ifname: i, vrid: 18, priority: p, vip: VIP.PD, extra: `  preempt_delay ${PREEMPT_DELAY_S}\n` })}
`;
}

const entering = (name: string, state: string): RegExp => new RegExp(`\\(${name}\\) Entering ${state} STATE`);

describe.skipIf(!isRoot)(rootTitle('keepalived-ts daemons: election, tracking, sync groups, unicast, IPv6, preemption, respawn'), () => {
  const lab = new DaemonLab('kts-i-');
  let A: DaemonHandle;
  let B: DaemonHandle;
  let a: LabHost;
  let b: LabHost;
  const flag = join(lab.dir, 'flag');
  const isolate = (on: boolean) =>
    Promise.all(['kia2-p', 'kib2-p'].map((p) => mustRun(['ip', '-n', lab.switchNs, 'link', 'set', p, 'type', 'bridge_slave', 'isolated', on ? 'on' : 'off'])));

  beforeAll(async () => {
    await lab.setup(['a', 'b'], { observer: true, bridges: 2 });
    a = lab.host('a');
    b = lab.host('b');
    await mustRun(['ip', '-n', a.ns, 'link', 'add', 'kidummy', 'type', 'veth', 'peer', 'name', 'kidummyp']);
    // (no dummy driver everywhere: a veth pair inside A stands in for a tracked uplink)
    for (const l of ['kidummy', 'kidummyp']) await mustRun(['ip', '-n', a.ns, 'link', 'set', l, 'up']);
    writeFileSync(join(lab.dir, 'chk.sh'), `#!/bin/sh\nexit "$(cat ${flag})"\n`, { mode: 0o755 });
    writeFileSync(flag, '0');
    // VI_EQ's bridge ports cannot talk to each other until the test joins them.
    await isolate(true);
    // A first, alone: it becomes MASTER everywhere (nopreempt needs it to be first).
    A = lab.startOurs(a, conf(a, b, true, lab.dir));
    for (const n of INSTANCES) await A.proc.waitFor(entering(n, 'MASTER'), 30_000);
    B = lab.startOurs(b, conf(b, a, false, lab.dir));
    await B.proc.waitFor(entering('VI_EQ', 'MASTER'), 30_000);
    for (const n of INSTANCES.filter((x) => x !== 'VI_EQ')) await B.proc.waitFor(entering(n, 'BACKUP'), 10_000);
  }, 90_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  it('higher priority wins: every VIP of A\'s instances is on A only, B stays BACKUP', async () => {
    for (const v of [VIP.TS, VIP.TI, VIP.S1, VIP.S2, VIP.U, VIP.V6, VIP.NP, VIP.PD]) await lab.waitVip(v, ['a'], 3000);
    expect(B.log()).not.toMatch(/\((VI_TS|VI_TI|VI_S1|VI_S2|VI_U|VI_6|VI_NP|VI_PD)\) Entering MASTER STATE/);
  });

  it('equal priority: two masters that meet resolve to the higher primary address', async () => {
    await lab.waitVip(VIP.EQ, ['a', 'b'], 3000);
    const from = A.log().length;
    await isolate(false);
    const ms = await lab.waitVip(VIP.EQ, ['b'], 5000);
    expect(A.log(from)).toMatch(entering('VI_EQ', 'BACKUP'));
    console.log(`equal priority resolved in ${ms} ms`);
  });

  it('unicast: B receives A\'s adverts as unicast to its own address', async () => {
    const r = await lab.net.exec(b.ns, ['timeout', '5', 'tcpdump', '--immediate-mode', '-c', '2', '-n', '-i', b.ifname, `ip proto 112 and src host ${a.ipv4} and dst host ${b.ipv4}`], { timeoutMs: 8000 });
    expect(r.stdout).toMatch(new RegExp(`${a.ipv4.replace(/\./g, '\\.')} > ${b.ipv4.replace(/\./g, '\\.')}: VRRPv3, Advertisement, vrid 15, prio 150`));
    expect(await lab.vipHolders(VIP.U)).toEqual(['a']);
  });

  it('IPv6 VRRPv3: the IPv6 VIP is on A only and B is BACKUP', async () => {
    expect(await lab.vipHolders(VIP.V6)).toEqual(['a']);
    expect(B.log()).toMatch(entering('VI_6', 'BACKUP'));
  });

  it('track_script weight: a failing script drops A below B, success brings it back', async () => {
    writeFileSync(flag, '1');
    const down = await lab.waitVip(VIP.TS, ['b'], 10_000);
    writeFileSync(flag, '0');
    const up = await lab.waitVip(VIP.TS, ['a'], 10_000);
    expect(A.log()).toMatch(entering('VI_TS', 'BACKUP'));
    console.log(`track_script: moved to B in ${down} ms, back to A in ${up} ms`);
  });

  it('track_interface: link down → FAULT and the VIP moves, link up → A recovers', async () => {
    const from = A.log().length;
    await mustRun(['ip', '-n', a.ns, 'link', 'set', 'kidummy', 'down']);
    await lab.waitVip(VIP.TI, ['b'], 8000);
    expect(A.log(from)).toMatch(entering('VI_TI', 'FAULT'));
    await mustRun(['ip', '-n', a.ns, 'link', 'set', 'kidummy', 'up']);
    await lab.waitVip(VIP.TI, ['a'], 8000);
    expect(A.log(from)).toMatch(entering('VI_TI', 'MASTER'));
    expect(await lab.vipHolders(VIP.TS)).toEqual(['a']); // other instances untouched
  });

  it('sync group: one member\'s link down moves both members, link up brings both back', async () => {
    const from = A.log().length;
    await mustRun(['ip', '-n', a.ns, 'link', 'set', 'kia1', 'down']);
    await Promise.all([lab.waitVip(VIP.S1, ['b'], 8000), lab.waitVip(VIP.S2, ['b'], 8000)]);
    expect(A.log(from)).toMatch(entering('VI_S2', 'FAULT'));
    expect(A.log(from)).toMatch(/\(VI_S1\) Entering (FAULT|BACKUP) STATE/);
    await mustRun(['ip', '-n', a.ns, 'link', 'set', 'kia1', 'up']);
    await Promise.all([lab.waitVip(VIP.S1, ['a'], 10_000), lab.waitVip(VIP.S2, ['a'], 10_000)]);
  });

  it('SIGHUP with an unchanged configuration: reloads without any transition', async () => {
    const fromA = A.log().length;
    const fromB = B.log().length;
    A.signal('SIGHUP');
    B.signal('SIGHUP');
    await waitFor(() => /Reload complete/.test(A.log(fromA)) && /Reload complete/.test(B.log(fromB)), { timeoutMs: 10_000, what: 'both reloads' });
    await sleep(4 * ADV * 1000);
    expect(A.log(fromA)).not.toMatch(/Entering|removing VIPs/);
    expect(B.log(fromB)).not.toMatch(/Entering|removing VIPs/);
    for (const v of [VIP.TS, VIP.TI, VIP.S1, VIP.S2, VIP.U, VIP.V6, VIP.NP, VIP.PD]) expect(await lab.vipHolders(v)).toEqual(['a']);
  });

  it('kill -9 of daemon A: B takes over and the observer sees B\'s GARP; on restart VI_TI preempts at once, VI_PD after its delay, VI_NP never', async () => {
    const arp = await lab.watchArp();
    const bMac = (await lab.net.ipJson<Array<{ address: string }>>(b.ns, ['link', 'show', 'dev', b.ifname]))[0]!.address;
    A.kill9();
    // The killed VRRP child leaves its VIPs on A; B takes over after the master-down interval.
    const takeoverMs = await lab.waitVip(VIP.TI, ['a', 'b'], 10_000);
    const garpFor = (vip: string) => arp.output().split('\n').find((l) => l.includes(`who-has ${vip} (ff:ff:ff:ff:ff:ff) tell ${vip}`) && l.includes(` ${bMac} > `));
    await waitFor(() => garpFor(VIP.TI), { timeoutMs: 5000, what: `B's GARP for ${VIP.TI}; tcpdump said:\n${arp.output()}` });
    await waitFor(() => garpFor(VIP.NP) && garpFor(VIP.PD), { timeoutMs: 5000, what: `B's GARPs for ${VIP.NP} and ${VIP.PD}` });
    await arp.stop();
    // A comes back: the new daemon sweeps the leftovers and starts in BACKUP.
    A = lab.restart(A);
    await A.proc.waitFor(entering('VI_PD', 'BACKUP'), 30_000);
    const backupAt = Date.now();
    expect(A.log()).toMatch(/removing VIPs\./);
    await lab.waitVip(VIP.TI, ['a'], 5000);
    await lab.waitVip(VIP.PD, ['a'], (PREEMPT_DELAY_S + 6) * 1000);
    const pdMs = Date.now() - backupAt;
    expect(pdMs).toBeGreaterThanOrEqual((PREEMPT_DELAY_S - 1) * 1000);
    expect(await lab.vipHolders(VIP.NP)).toEqual(['b']);
    expect(A.log()).not.toMatch(entering('VI_NP', 'MASTER'));
    console.log(`kill -9: VIP on B after ${takeoverMs} ms; preempt_delay ${PREEMPT_DELAY_S} s: VI_PD back on A ${pdMs} ms after BACKUP`);
  }, 60_000);

  it('kill -9 of A\'s VRRP child: the parent respawns it and the new child takes its VIPs back', async () => {
    const oldChild = A.pid('vrrp')!;
    const from = A.log().length;
    A.signal('SIGKILL', 'vrrp');
    await A.proc.waitFor(new RegExp(`\\(${oldChild}\\) died: Respawning`), 5000);
    await waitFor(() => A.pid('vrrp') !== oldChild && A.pid('vrrp'), { timeoutMs: 10_000, what: 'a new VRRP child pid' });
    await waitFor(() => /removing VIPs\./.test(A.log(from)) && entering('VI_TI', 'MASTER').test(A.log(from)), { timeoutMs: 30_000, what: `the new child to sweep and become MASTER; A said:\n${A.log(from)}` });
    for (const v of [VIP.TI, VIP.S1, VIP.S2, VIP.U, VIP.V6, VIP.PD]) await lab.waitVip(v, ['a'], 10_000);
    expect(await lab.vipHolders(VIP.NP)).toEqual(['b']);
    expect(A.proc.child.exitCode).toBeNull();
  }, 60_000);
});
