/**
 * nftables JSON commands for our table (`nft -j -f -` input). Pure.
 *
 *   table ip keepalived_ts {
 *     map services { type ipv4_addr . inet_proto . inet_service : verdict }   # VIP . proto . port → goto vs_…
 *     map fwmarks  { type mark : verdict }                                    # fwmark → goto vs_fwm_…
 *     chain prerouting { type nat hook prerouting priority dstnat; … vmap @services; meta mark vmap @fwmarks }
 *     chain output     { type nat hook output priority dstnat; (the same, for the director's own connections) }
 *     chain postrouting { type nat hook postrouting priority srcnat; … masquerade }   # only with masquerade
 *     chain vs_tcp_203.0.113.10_80 { meta l4proto tcp dnat ip to numgen inc mod 3 map { … } }
 *   }
 *
 * Every command is idempotent against whatever state the kernel is in, so a batch never fails on
 * drift: `add` of an existing object is a no-op, and a removal is written "add, then delete"
 * (nft 1.0.6 has no `destroy`). The NAT chains only see the first packet of a connection; later
 * packets follow conntrack's binding, which is why existing connections keep their server.
 */
import type { Family } from '../../../actors/ports.js';
import { textHash } from './rule.js';

export interface TableOptions {
  /** Table name (the same in both families); default keepalived_ts. */
  table: string;
  /** Masquerade connections to our services (real servers that do not route back via us). */
  masquerade: boolean;
}

export type NftCommand = Record<string, unknown>;

export const nftFamily = (f: Family) => (f === 6 ? 'ip6' : 'ip');
const addrType = (f: Family) => (f === 6 ? 'ipv6_addr' : 'ipv4_addr');

function ref(f: Family, o: TableOptions) {
  return { family: nftFamily(f), table: o.table };
}

/** The base chains and maps; `hash` identifies this exact layout (written as the rules' comment). */
export function baseCommands(f: Family, o: TableOptions, postroutingPresent: boolean): { cmds: NftCommand[]; hash: string } {
  const t = ref(f, o);
  const fam = nftFamily(f);
  const hash = textHash(`${fam} ${o.table} base v1 masquerade=${o.masquerade}`);
  const comment = `keepalived-ts base ${hash}`;
  const dispatch = [
    { vmap: { key: { concat: [{ payload: { protocol: fam, field: 'daddr' } }, { meta: { key: 'l4proto' } }, { payload: { protocol: 'th', field: 'dport' } }] }, data: '@services' } },
  ];
  const byMark = [{ vmap: { key: { meta: { key: 'mark' } }, data: '@fwmarks' } }];
  const cmds: NftCommand[] = [
    { add: { table: { family: fam, name: o.table } } },
    { add: { map: { ...t, name: 'services', type: [addrType(f), 'inet_proto', 'inet_service'], map: 'verdict' } } },
    { add: { map: { ...t, name: 'fwmarks', type: 'mark', map: 'verdict' } } },
  ];
  for (const [name, hook] of [['prerouting', 'prerouting'], ['output', 'output']] as const) {
    cmds.push(
      { add: { chain: { ...t, name, type: 'nat', hook, prio: -100, policy: 'accept' } } },
      { flush: { chain: { ...t, name } } },
      { add: { rule: { ...t, chain: name, expr: dispatch, comment } } },
      { add: { rule: { ...t, chain: name, expr: byMark, comment } } },
    );
  }
  const dnat = { match: { op: 'in', left: { ct: { key: 'status' } }, right: 'dnat' } };
  if (o.masquerade) {
    cmds.push(
      { add: { set: { ...t, name: 'vips', type: addrType(f) } } },
      { add: { set: { ...t, name: 'marks', type: 'mark' } } },
      { add: { chain: { ...t, name: 'postrouting', type: 'nat', hook: 'postrouting', prio: 100, policy: 'accept' } } },
      { flush: { chain: { ...t, name: 'postrouting' } } },
      { add: { rule: { ...t, chain: 'postrouting', expr: [dnat, { match: { op: '==', left: { ct: { key: `${fam} daddr`, dir: 'original' } }, right: '@vips' } }, { masquerade: null }], comment } } },
      { add: { rule: { ...t, chain: 'postrouting', expr: [dnat, { match: { op: '==', left: { meta: { key: 'mark' } }, right: '@marks' } }, { masquerade: null }], comment } } },
    );
  } else if (postroutingPresent) {
    cmds.push(
      { flush: { chain: { ...t, name: 'postrouting' } } },
      { delete: { chain: { ...t, name: 'postrouting' } } },
      { add: { set: { ...t, name: 'vips', type: addrType(f) } } },
      { delete: { set: { ...t, name: 'vips' } } },
      { add: { set: { ...t, name: 'marks', type: 'mark' } } },
      { delete: { set: { ...t, name: 'marks' } } },
    );
  }
  return { cmds, hash };
}

/** The dispatch element for a service: its key in @services or @fwmarks. */
export interface ServiceDispatch {
  chain: string;
  protocol?: string;
  address?: string;
  port?: number;
  fwmark?: number;
}

function element(f: Family, o: TableOptions, d: ServiceDispatch): { map: string; key: unknown } {
  return d.fwmark !== undefined && d.address === undefined
    ? { map: 'fwmarks', key: d.fwmark }
    : { map: 'services', key: { concat: [d.address, d.protocol ?? 'tcp', d.port ?? 0] } };
}

/** Create or replace a service's chain and rule, and point its dispatch element at it. */
export function putServiceCommands(f: Family, o: TableOptions, d: ServiceDispatch, expr: unknown[], comment: string): NftCommand[] {
  const t = ref(f, o);
  const e = element(f, o, d);
  return [
    { add: { chain: { ...t, name: d.chain } } },
    { add: { element: { ...t, name: e.map, elem: [[e.key, { goto: { target: d.chain } }]] } } },
    { flush: { chain: { ...t, name: d.chain } } },
    { add: { rule: { ...t, chain: d.chain, expr, comment } } },
  ];
}

/** Remove a service's dispatch element and chain, whether or not they exist. */
export function removeServiceCommands(f: Family, o: TableOptions, d: ServiceDispatch): NftCommand[] {
  const t = ref(f, o);
  const e = element(f, o, d);
  return [
    { add: { chain: { ...t, name: d.chain } } },
    { add: { element: { ...t, name: e.map, elem: [[e.key, { goto: { target: d.chain } }]] } } },
    { delete: { element: { ...t, name: e.map, elem: [e.key] } } },
    { flush: { chain: { ...t, name: d.chain } } },
    { delete: { chain: { ...t, name: d.chain } } },
  ];
}

/** Bring a masquerade set (vips or marks) from `have` to `want`. */
export function setSyncCommands<T extends string | number>(f: Family, o: TableOptions, name: 'vips' | 'marks', have: ReadonlySet<T>, want: ReadonlySet<T>): NftCommand[] {
  const t = ref(f, o);
  const add = [...want].filter((x) => !have.has(x));
  const del = [...have].filter((x) => !want.has(x));
  const cmds: NftCommand[] = [];
  if (add.length) cmds.push({ add: { element: { ...t, name, elem: add } } });
  if (del.length) cmds.push({ add: { element: { ...t, name, elem: del } } }, { delete: { element: { ...t, name, elem: del } } });
  return cmds;
}

/** Delete our table in both families, whether or not it exists. */
export function flushCommands(o: TableOptions): NftCommand[] {
  return (['ip', 'ip6'] as const).flatMap((family) => [{ add: { table: { family, name: o.table } } }, { delete: { table: { family, name: o.table } } }]);
}
