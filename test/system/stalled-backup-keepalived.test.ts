/**
 * A backup that gets no CPU for longer than its Master_Down_Interval, keepalived 2.2.7 beside
 * keepalived-ts. Host m (keepalived-ts, priority 150) is MASTER of VRID 61; hosts o
 * (keepalived-ts) and k (/usr/sbin/keepalived) are its backups (priority 100). Both backups' VRRP
 * children are stopped with SIGSTOP for 6 s (their Master_Down_Interval is 3.61 s) while m goes on
 * advertising, then continued. Each wakes with its down timer overdue and m's adverts queued in
 * its socket: it must read them before it times out, and stay BACKUP. keepalived does (its
 * scheduler handles ready sockets before expired timers); keepalived-ts does since its clock fires
 * a precise timeout only after the event loop has polled (adapters/node/clock.ts).
 * Root and keepalived only; namespaces `kts-sb-*`, removed in afterAll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonLab, haveKeepalived, sleep, type DaemonHandle, type LabHost } from '../helpers/daemon-lab.js';
import { isRoot, rootTitle } from '../helpers/netns.js';

const VIP = '198.51.100.161';

const conf = (me: LabHost, state: 'MASTER' | 'BACKUP', priority: number) => `global_defs {
  router_id ${me.name}
}
vrrp_instance VI_1 {
  state ${state}
  interface ${me.ifname}
  virtual_router_id 61
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;

const MASTER = /\(VI_1\) Entering MASTER STATE/;
const BACKUP = /\(VI_1\) Entering BACKUP STATE/;

describe.skipIf(!isRoot || !haveKeepalived)(rootTitle('a backup stalled past its Master_Down_Interval, beside keepalived 2.2.7'), () => {
  const lab = new DaemonLab('kts-sb-');
  let M: DaemonHandle;
  const backups: DaemonHandle[] = [];

  beforeAll(async () => {
    await lab.setup(['m', 'o', 'k']);
    const [m, o, k] = [lab.host('m'), lab.host('o'), lab.host('k')];
    M = lab.startOurs(m, conf(m, 'MASTER', 150));
    backups.push(lab.startOurs(o, conf(o, 'BACKUP', 100)), lab.startKeepalived(k, conf(k, 'BACKUP', 100)));
    await M.proc.waitFor(MASTER, 30_000);
    for (const b of backups) await b.proc.waitFor(BACKUP, 30_000);
    await lab.waitVip(VIP, ['m'], 5000);
    await sleep(2500); // both backups have heard m (their down timers run from its adverts)
  }, 60_000);

  afterAll(async () => {
    for (const b of backups) {
      try {
        b.signal('SIGCONT', 'vrrp');
      } catch {
        /* not running */
      }
    }
    await lab.cleanup();
  });

  it('wakes with the adverts queued, reads them first and stays BACKUP (as keepalived does)', async () => {
    const from = backups.map((b) => b.log().length);
    for (const b of backups) b.signal('SIGSTOP', 'vrrp');
    try {
      await sleep(6000);
    } finally {
      for (const b of backups) b.signal('SIGCONT', 'vrrp');
    }
    await sleep(3000);
    for (const [i, b] of backups.entries()) {
      expect(b.log(from[i]), `${b.kind} after SIGCONT`).not.toMatch(MASTER);
    }
    expect(await lab.vipHolders(VIP)).toEqual(['m']);
  }, 20_000);
});
