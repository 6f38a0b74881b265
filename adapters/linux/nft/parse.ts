/**
 * Reads our table back from `nft -j list table FAMILY NAME` output. Pure.
 *
 * A service is found through its dispatch element (@services: VIP . proto . port → goto chain,
 * @fwmarks: mark → goto chain); its chain's single rule gives the scheduler and hash (from our
 * comment) and the slot table (from the DNAT map), so sh/dh clients stay put across restarts.
 * Anything that does not look like what we write gets hash '' and is rewritten on reconcile.
 */
import type { Family } from '../../../actors/ports.js';
import type { LbProtocol } from '../../../actors/lvs/lb-port.js';
import { destKey, emptyKernelTable, serviceKey, type KernelService, type KernelTable } from './model.js';
import { parseComment } from './rule.js';

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A set/map element value, unwrapping `{"elem": {"val": …}}` (elements with comments or timeouts). */
function elemValue(x: unknown): unknown {
  return isObj(x) && isObj(x.elem) ? x.elem.val : x;
}

function gotoTarget(x: unknown): string | undefined {
  if (!isObj(x)) return undefined;
  const g = (x.goto ?? x.jump) as Obj | undefined;
  return isObj(g) && typeof g.target === 'string' ? g.target : undefined;
}

/** Slot table from a rule's `dnat … map { n : addr [. port] }`. */
function slotsOf(expr: unknown): string[] | undefined {
  if (!Array.isArray(expr)) return undefined;
  for (const e of expr) {
    if (!isObj(e) || !isObj(e.dnat)) continue;
    const map = (e.dnat.addr as Obj | undefined)?.map as Obj | undefined;
    const data = isObj(map) ? (map.data as Obj | undefined) : undefined;
    const set = isObj(data) && Array.isArray(data.set) ? data.set : undefined;
    if (!set) return undefined;
    const slots: string[] = [];
    for (const pair of set) {
      if (!Array.isArray(pair) || typeof pair[0] !== 'number') return undefined;
      const v = pair[1];
      if (typeof v === 'string') slots[pair[0]] = destKey(v, 0);
      else if (isObj(v) && Array.isArray(v.concat) && typeof v.concat[0] === 'string' && typeof v.concat[1] === 'number') slots[pair[0]] = destKey(v.concat[0], v.concat[1]);
      else return undefined;
    }
    for (let i = 0; i < slots.length; i++) if (slots[i] === undefined) return undefined;
    return slots;
  }
  return [];
}

export function parseTable(family: Family, listing: unknown, baseChains: readonly string[] = ['prerouting', 'output']): KernelTable {
  const t = emptyKernelTable(family);
  const items = isObj(listing) && Array.isArray(listing.nftables) ? (listing.nftables as unknown[]) : [];
  const rules = new Map<string, Obj[]>();
  const chains = new Set<string>();
  const dispatch: Array<{ chain: string; protocol?: LbProtocol; address?: string; port?: number; fwmark?: number }> = [];
  for (const it of items) {
    if (!isObj(it)) continue;
    if (isObj(it.table)) t.present = true;
    if (isObj(it.chain) && typeof it.chain.name === 'string') chains.add(it.chain.name);
    if (isObj(it.rule) && typeof it.rule.chain === 'string') {
      const list = rules.get(it.rule.chain) ?? [];
      list.push(it.rule);
      rules.set(it.rule.chain, list);
    }
    const m = isObj(it.map) ? it.map : isObj(it.set) ? it.set : undefined;
    if (!m || !Array.isArray(m.elem)) continue;
    for (const raw of m.elem) {
      if (m.name === 'services' && Array.isArray(raw)) {
        const key = elemValue(raw[0]);
        const chain = gotoTarget(raw[1]);
        const c = isObj(key) && Array.isArray(key.concat) ? key.concat : undefined;
        if (chain && c && typeof c[0] === 'string' && typeof c[1] === 'string' && typeof c[2] === 'number')
          dispatch.push({ chain, protocol: c[1] as LbProtocol, address: c[0], port: c[2] });
      } else if (m.name === 'fwmarks' && Array.isArray(raw)) {
        const mark = elemValue(raw[0]);
        const chain = gotoTarget(raw[1]);
        if (chain && typeof mark === 'number') dispatch.push({ chain, fwmark: mark });
      } else if (m.name === 'vips') {
        const v = elemValue(raw);
        if (typeof v === 'string') t.vips.add(v);
      } else if (m.name === 'marks') {
        const v = elemValue(raw);
        if (typeof v === 'number') t.marks.add(v);
      }
    }
  }
  t.postrouting = chains.has('postrouting');
  // The base layout is ours when every base chain holds exactly its two rules with one hash.
  const base = [...baseChains, ...(t.postrouting ? ['postrouting'] : [])].map((c) => rules.get(c) ?? []);
  const hashes = new Set(base.flat().map((r) => (typeof r.comment === 'string' ? /^keepalived-ts base ([0-9a-f]+)$/.exec(r.comment)?.[1] : undefined)));
  if (base.every((r) => r.length === 2) && hashes.size === 1 && !hashes.has(undefined)) t.baseHash = [...hashes][0]!;

  for (const d of dispatch) {
    const svc = d.fwmark !== undefined ? { family, fwmark: d.fwmark } : { family, protocol: d.protocol!, address: d.address!, port: d.port! };
    const key = serviceKey(svc);
    const rs = rules.get(d.chain) ?? [];
    const c = rs.length === 1 ? parseComment(rs[0]!.comment) : undefined;
    const slots = rs.length === 1 ? slotsOf(rs[0]!.expr) : undefined;
    const k: KernelService = { key, family, chain: d.chain, hash: c && slots ? c.hash : '', scheduler: c?.scheduler ?? '', slots: slots ?? [] };
    Object.assign(k, d.fwmark !== undefined ? { fwmark: d.fwmark } : { protocol: d.protocol, address: d.address, port: d.port });
    t.services.set(key, k);
  }
  return t;
}
