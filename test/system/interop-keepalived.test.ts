/**
 * keepalived-ts and Debian's keepalived 2.2.7 in the same segment (one bridge, network
 * namespaces). One table of cases — VRRPv2 with PASS, VRRPv2 with AH, VRRPv3 IPv4, VRRPv3 IPv6,
 * unicast, use_vmac (both sides send from the virtual MAC) — each run twice as separate
 * instances in the same two daemons: once with ours as master (ours 150, keepalived 100) and
 * once with ours as backup (ours 100, keepalived 150).
 * Phases: both start; each instance settles on exactly one master, which stays put for an advert
 * interval; kill -9 of our daemon → keepalived takes every VIP; our daemon restarts and takes its
 * instances back; kill -9 of keepalived → ours takes every VIP. Root and keepalived only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonLab, haveKeepalived, KEEPALIVED, sleep, type DaemonHandle, type LabHost } from '../helpers/daemon-lab.js';
import { isRoot, rootTitle } from '../helpers/netns.js';

interface Case {
  label: string;
  version: 2 | 3;
  family: 4 | 6;
  auth?: 'PASS' | 'AH';
  unicast?: boolean;
  vmac?: boolean;
}

const CASES: Case[] = [
  { label: 'VRRPv2 PASS', version: 2, family: 4, auth: 'PASS' },
  { label: 'VRRPv2 AH', version: 2, family: 4, auth: 'AH' },
  { label: 'VRRPv3 IPv4', version: 3, family: 4 },
  { label: 'VRRPv3 IPv6', version: 3, family: 6 },
  { label: 'VRRPv2 unicast', version: 2, family: 4, unicast: true },
  { label: 'VRRPv2 use_vmac', version: 2, family: 4, vmac: true },
  { label: 'VRRPv3 IPv6 use_vmac', version: 3, family: 6, vmac: true },
];
const ADV_S = 1;

interface Row extends Case {
  name: string;
  vrid: number;
  vip: string;
  oursMaster: boolean;
}

/** Ours-master rows get VRIDs 31…, ours-backup rows 41…; the VIP's last part is the VRID. */
const ROWS: Row[] = [true, false].flatMap((oursMaster) =>
  CASES.map((c, i) => {
    const vrid = (oursMaster ? 31 : 41) + i;
    return { ...c, oursMaster, vrid, name: `VI_${vrid}`, vip: c.family === 4 ? `198.51.100.${vrid}` : `2001:db8::${vrid}` };
  }),
);
const MASTER = (r: Row): string => (r.oursMaster ? 'o' : 'k');

function conf(me: LabHost, peer: LabHost, ours: boolean): string {
  const blocks = ROWS.map((r) => {
    const high = r.oursMaster === ours;
    const auth = r.auth ? `  authentication {\n    auth_type ${r.auth}\n    auth_pass s3cret\n  }\n` : '';
    const uni = r.unicast ? `  unicast_src_ip ${me.ipv4}\n  unicast_peer {\n    ${peer.ipv4}\n  }\n` : '';
    const vmac = r.vmac ? '  use_vmac\n' : '';
    return `vrrp_instance ${r.name} {
  state BACKUP
  interface ${me.ifname}
  virtual_router_id ${r.vrid}
  version ${r.version}
  priority ${high ? 150 : 100}
  advert_int ${ADV_S}
${auth}${uni}${vmac}  virtual_ipaddress {
    ${r.vip}/${r.family === 4 ? 24 : 64}
  }
}
`;
  });
  return `global_defs {\n  router_id ${ours ? 'kts' : 'ka'}\n}\n${blocks.join('')}`;
}

const reason = !haveKeepalived ? ` [skipped: ${KEEPALIVED} not installed]` : '';

describe.skipIf(!isRoot || !haveKeepalived)(rootTitle(`interop with keepalived 2.2.7 on one segment${reason}`), () => {
  const lab = new DaemonLab('kts-i-');
  let o: LabHost;
  let k: LabHost;
  let ours: DaemonHandle;
  let ka: DaemonHandle;

  const settle = async (timeoutMs: number): Promise<void> => {
    for (const r of ROWS) await lab.waitVip(r.vip, [MASTER(r)], timeoutMs).catch((e: Error) => {
      throw new Error(`${r.label} (${r.name}, ours ${r.oursMaster ? 'master' : 'backup'}): ${e.message}\n--- ours:\n${ours.log().slice(-3000)}\n--- keepalived:\n${ka.log().slice(-3000)}`);
    });
  };

  beforeAll(async () => {
    await lab.setup(['o', 'k']);
    o = lab.host('o');
    k = lab.host('k');
    ka = lab.startKeepalived(k, conf(k, o, false));
    ours = lab.startOurs(o, conf(o, k, true));
    await ours.proc.waitFor(/Starting VRRP runtime/, 30_000);
    await settle(20_000);
  }, 60_000);

  afterAll(async () => {
    await lab.cleanup();
  });

  it.each(ROWS.map((r) => [r.label, r.oursMaster ? 'master' : 'backup', r] as const))('%s, ours as %s: one master, stable over an advert interval', async (_l, _m, r) => {
    const masterLog = r.oursMaster ? ours : ka;
    const backupLog = r.oursMaster ? ka : ours;
    expect(masterLog.log()).toMatch(new RegExp(`\\(${r.name}\\) Entering MASTER STATE`));
    expect(backupLog.log()).toMatch(new RegExp(`\\(${r.name}\\) Entering BACKUP STATE`));
    const until = Date.now() + ADV_S * 1000;
    do {
      expect(await lab.vipHolders(r.vip)).toEqual([MASTER(r)]);
      await sleep(200);
    } while (Date.now() < until);
    // Neither side logged an authentication or packet complaint about the other.
    expect(ka.log()).not.toMatch(new RegExp(`\\(${r.name}\\).*(auth|invalid|bad|mismatch)`, 'i'));
  });

  it('kill -9 of our daemon: keepalived takes every VIP; restarted, ours takes its own back', async () => {
    ours.kill9();
    for (const r of ROWS) await lab.waitVip(r.vip, r.oursMaster ? ['o', 'k'] : ['k'], 10_000); // ours' killed child left its VIPs
    ours = lab.restart(ours);
    await ours.proc.waitFor(/removing VIPs\./, 30_000);
    await settle(20_000);
  }, 60_000);

  it('kill -9 of keepalived: ours takes every VIP', async () => {
    ka.kill9();
    for (const r of ROWS) await lab.waitVip(r.vip, r.oursMaster ? ['o'] : ['o', 'k'], 10_000);
    expect(ours.proc.child.exitCode).toBeNull();
    for (const r of ROWS.filter((x) => !x.oursMaster)) expect(ours.log()).toMatch(new RegExp(`\\(${r.name}\\) Entering MASTER STATE`));
  }, 30_000);
});
