/**
 * Three keepalived-ts daemons on one bridge (priorities 150 > 120 > 100) with an observer:
 * the highest wins the election, kill -9 of the master hands the VIP to the next in the chain
 * (the observer sees its gratuitous ARP), kill -9 of that one hands it to the last, and the
 * restarted first node takes it back (preemption). A node killed with -9 cannot clean up, so its
 * VIP stays on its (dead) interface until a restarted daemon sweeps it, exactly as with keepalived:
 * the holders below include the dead nodes. Root only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonLab, type DaemonHandle, type LabHost } from '../helpers/daemon-lab.js';
import { isRoot, rootTitle, waitFor } from '../helpers/netns.js';

const VIP = '198.51.100.150';

function conf(me: LabHost, priority: number): string {
  return `global_defs {
  router_id ${me.name}
}
vrrp_instance VI_CHAIN {
  state BACKUP
  interface ${me.ifname}
  virtual_router_id 61
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;
}

const entering = (state: string): RegExp => new RegExp(`\\(VI_CHAIN\\) Entering ${state} STATE`);

describe.skipIf(!isRoot)(rootTitle('three keepalived-ts daemons: priority chain, successive kill -9, preemption'), () => {
  const lab = new DaemonLab('kts-t-');
  const d = new Map<string, DaemonHandle>();
  const prio: Record<string, number> = { a: 150, b: 120, c: 100 };

  beforeAll(async () => {
    await lab.setup(['a', 'b', 'c'], { observer: true });
    // Start from the lowest: each higher one preempts on arrival, as in a rolling start.
    for (const n of ['c', 'b', 'a']) d.set(n, lab.startOurs(lab.host(n), conf(lab.host(n), prio[n]!)));
    await d.get('a')!.proc.waitFor(entering('MASTER'), 30_000);
  }, 90_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  it('the highest priority holds the VIP; the other two are BACKUP', async () => {
    await lab.waitVip(VIP, ['a'], 8000);
    await d.get('b')!.proc.waitFor(entering('BACKUP'), 10_000);
    await d.get('c')!.proc.waitFor(entering('BACKUP'), 10_000);
    expect(await lab.vipHolders(VIP)).toEqual(['a']);
  });

  it('kill -9 of the master: the next in the chain takes over and the observer sees its GARP', async () => {
    const arp = await lab.watchArp();
    const b = lab.host('b');
    const bMac = (await lab.net.ipJson<Array<{ address: string }>>(b.ns, ['link', 'show', 'dev', b.ifname]))[0]!.address;
    // c's log from the kill on: started first (a rolling start), c may have been MASTER for a
    // moment before a's adverts reached it, and preempted then, as keepalived would be.
    const cFrom = d.get('c')!.log().length;
    d.get('a')!.kill9();
    const ms = await lab.waitVip(VIP, ['a', 'b'], 8000);
    // Master_Down_Interval of b (v2, prio 120, 1 s): 3 s + 136/256 s = 3.53 s after a's last advert.
    expect(ms).toBeLessThan(6000);
    const garp = () => arp.output().split('\n').find((l) => l.includes(`who-has ${VIP} (ff:ff:ff:ff:ff:ff) tell ${VIP}`) && l.includes(` ${bMac} > `));
    await waitFor(() => garp(), { timeoutMs: 5000, what: `b's GARP for ${VIP}; tcpdump said:\n${arp.output()}` });
    await arp.stop();
    expect(d.get('c')!.log(cFrom)).not.toMatch(entering('MASTER'));
  }, 20_000);

  it('kill -9 of the new master: the last node takes over', async () => {
    const from = d.get('c')!.log().length; // not a MASTER of c's start-up (see above)
    d.get('b')!.kill9();
    await lab.waitVip(VIP, ['a', 'b', 'c'], 8000);
    await waitForLog(d.get('c')!, from, entering('MASTER'));
  }, 20_000);

  it('the restarted highest node preempts and the last node steps back to BACKUP', async () => {
    const c = d.get('c')!;
    const from = c.log().length;
    d.set('a', lab.restart(d.get('a')!));
    // The new daemon on a sweeps the VIP its killed predecessor left, then preempts c.
    await lab.waitVip(VIP, ['a', 'b'], 30_000);
    await waitForLog(c, from, entering('BACKUP'));
    expect(await lab.vipHolders(VIP)).toEqual(['a', 'b']);
  }, 45_000);
});

async function waitForLog(dh: DaemonHandle, from: number, re: RegExp): Promise<void> {
  for (let i = 0; i < 50; i++) {
    if (re.test(dh.log(from))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${re} in ${dh.host.name}'s log within 10 s`);
}
