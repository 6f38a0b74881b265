/**
 * The start-up sweep (the daemon statechart's `starting.sweeping`): VIPs that a dead predecessor
 * left on the interfaces. A VRRP process that crashed, was killed by the hello watchdog, or a
 * whole daemon killed with -9 leaves its VIPs behind; its successor starts in BACKUP, so without
 * the sweep two hosts would answer for one address (keepalived removes them as its VRRP process
 * starts: "(VI_1) removing VIPs."). It runs over ports.net, so the simulator rehearses it, and
 * nothing starts before every removal has answered, so it can never undo an address the new
 * instances add.
 *
 * A leftover is a configured VIP (virtual_ipaddress or virtual_ipaddress_excluded) found on the
 * interface it belongs on, compared as addresses (any prefix length; it is removed with the one
 * the interface has). Address owners (priority 255) are left alone: their VIP may be the
 * interface's own address, and an owner takes it back at once anyway.
 *
 * The sweep also logs what keepalived logs (-D) as its VRRP process starts: each interface's
 * address as the instances on it see it ("Assigned address 198.51.100.1 for interface eth0"),
 * then, for every instance on an existing interface, "(VI_1) removing VIPs." (and E-VIPs,
 * routes, rules), whether or not anything was left: keepalived removes them all, found or not
 * (all but an owner that starts as MASTER at once; see startsAsOwnerMaster).
 */
import { canonicalIp, isIpv6LinkLocal, parseIpv6 } from '../../protocol/addr.js';
import { VRRP_PRIORITY_OWNER } from '../../protocol/vrrp/constants.js';
import type { AddressSpec, InterfaceInfo, Ports } from '../ports.js';
import type { RuntimeSink } from '../sink.js';
import { removalLines } from './address-io.js';
import type { VrrpPlan } from './plan.js';
import type { InstancePlan } from './plan-instance.js';

export interface LeftoverVip {
  instance: string;
  spec: AddressSpec;
}

/** Longest wait for the removals before start-up goes on regardless. */
export const SWEEP_TIMEOUT_MS = 3000;

/**
 * Configured VIPs of non-owner instances that are on their interface now. Each interface's
 * addresses are read once into a map by canonical address: after a crash at 1,000 instances,
 * 1,000 VIPs each compared with the 250 addresses of its interface took 0.1 s of start-up.
 */
export function leftoverVips(plan: VrrpPlan, interfaces: readonly InterfaceInfo[]): LeftoverVip[] {
  const out: LeftoverVip[] = [];
  const onInterface = new Map<string, Map<string, string>>();
  const present = (ifname: string): Map<string, string> | undefined => {
    let byAddress = onInterface.get(ifname);
    if (byAddress) return byAddress;
    const itf = interfaces.find((i) => i.name === ifname);
    if (!itf) return undefined;
    byAddress = new Map();
    for (const cidr of itf.addresses) {
      const address = canonicalIp(cidr.split('/')[0]!);
      // The first of an address wins, as a search from the start would find it.
      if (address !== undefined && !byAddress.has(address)) byAddress.set(address, cidr);
    }
    onInterface.set(ifname, byAddress);
    return byAddress;
  };
  const taken = new Set<string>();
  for (const p of plan.instances.values()) {
    if (p.input.basePriority === VRRP_PRIORITY_OWNER) continue;
    for (const vip of [...p.io.vips, ...p.io.excludedVips]) {
      const found = present(vip.ifname)?.get(vip.address);
      if (!found) continue;
      const key = `${vip.ifname} ${vip.address}`;
      if (taken.has(key)) continue;
      taken.add(key);
      out.push({ instance: p.name, spec: { address: vip.address, prefixLength: Number(found.split('/')[1] ?? vip.prefixLength), family: vip.family, ifname: vip.ifname } });
    }
  }
  return out;
}

/** The addresses an interface gives its instances, as keepalived names them: the first IPv4 and the first IPv6 link-local one that is not a VIP. */
export function interfaceAddresses(plan: VrrpPlan, itf: InterfaceInfo): string[] {
  const vips = new Set([...plan.instances.values()].flatMap((p) => [...p.io.vips, ...p.io.excludedVips].map((v) => v.address)));
  const own = itf.addresses.map((cidr) => canonicalIp(cidr.split('/')[0]!) ?? '').filter((a) => a !== '' && !vips.has(a));
  const v4 = own.find((a) => !a.includes(':'));
  const v6 = own.find((a) => isIpv6LinkLocal(parseIpv6(a) ?? new Uint8Array()));
  return [v4, v6].filter((a): a is string => a !== undefined);
}

/**
 * keepalived's -D lines as its VRRP process starts (vrrp_complete_init, vrrp_restore_interfaces_startup):
 * "Assigned address …" for the interface of each instance the first time an instance uses it
 * (an interface an earlier instance tracks with track_interface is not announced), then the
 * removal lines of every instance on an existing interface, but for an owner that starts as
 * MASTER at once (an owner's leftovers are never removed, see above, whatever is logged).
 */
export function startupLines(plan: VrrpPlan, interfaces: readonly InterfaceInfo[]): string[] {
  const assigned: string[] = [];
  const removing: string[] = [];
  const seen = new Set<string>();
  for (const p of plan.instances.values()) {
    const own = p.io.ifname;
    for (const e of p.entries) if (e.kind === 'interface' && e.name !== own) seen.add(e.name);
    const itf = own ? interfaces.find((i) => i.name === own) : undefined;
    if (!itf) continue;
    if (!seen.has(own)) for (const a of interfaceAddresses(plan, itf)) assigned.push(`Assigned address ${a} for interface ${own}`);
    seen.add(own);
    if (!startsAsOwnerMaster(p, itf)) removing.push(...removalLines(p.io));
  }
  return [...assigned, ...removing];
}

/**
 * keepalived (vrrp_init_state) restores the interface, and logs the removal lines, for every
 * instance except an address owner that becomes MASTER at once: priority 255, state MASTER, its
 * interface up, no sync group, and no unweighted script to wait for (an owner that waits is
 * held in FAULT, so its VIPs are "removed" like anyone's).
 */
function startsAsOwnerMaster(p: InstancePlan, itf: InterfaceInfo): boolean {
  const waits = p.entries.some((e) => e.kind === 'script' && (e.weight === 0 || p.ignoreWeights));
  return p.input.basePriority === VRRP_PRIORITY_OWNER && p.input.initialState === 'MASTER' && p.syncGroup === undefined && itf.up && itf.running && !waits;
}

/**
 * Remove the leftovers; `done` runs once every removal answered, or after SWEEP_TIMEOUT_MS.
 * Returns a cancel function: the answers that arrive after it are not reported.
 */
export function sweepLeftoverVips(ports: Ports, sink: RuntimeSink, plan: VrrpPlan, done: () => void): () => void {
  let found: LeftoverVip[];
  try {
    const interfaces = ports.net.interfaces();
    for (const line of startupLines(plan, interfaces)) sink.log('detail', line);
    found = leftoverVips(plan, interfaces);
  } catch (e) {
    sink.log('warning', `cannot list interfaces for the start-up VIP sweep: ${(e as Error).message}`);
    done();
    return () => {};
  }
  if (found.length === 0) {
    done();
    return () => {};
  }
  let pending = found.length;
  let timer: unknown;
  const cancel = () => {
    pending = -1;
    ports.clock.clearTimeout(timer);
  };
  const finish = () => {
    if (pending < 0) return;
    cancel();
    done();
  };
  timer = ports.clock.setTimeout(() => {
    sink.log('warning', `start-up VIP sweep: ${pending} removal(s) unanswered after ${SWEEP_TIMEOUT_MS} ms`);
    finish();
  }, SWEEP_TIMEOUT_MS);
  for (const { instance, spec } of found) {
    const cidr = `${spec.address}/${spec.prefixLength}`;
    ports.net.removeAddress(spec, (error) => {
      if (pending < 0) return;
      if (error) sink.log('warning', `(${instance}) cannot remove leftover VIP ${cidr} on ${spec.ifname}: ${error}`);
      else sink.log('debug', `(${instance}) removed leftover VIP ${cidr} on ${spec.ifname}`);
      if (--pending === 0) finish();
    });
  }
  return cancel;
}
