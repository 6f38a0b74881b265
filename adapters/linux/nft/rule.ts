/**
 * One service's rule: the slot table its scheduler asks for, and the nftables JSON expression
 * that DNATs a new connection through it. Pure.
 *
 *   vs_tcp_203.0.113.10_80:  meta l4proto tcp dnat ip to numgen inc mod 6 map { 0 : 198.51.100.21 . 8080, … }
 *   sh:                      … dnat ip to jhash ip saddr mod 256 seed 0x6b747331 map { … }
 *   no live destination:     reject (ICMP port unreachable, as IPVS answers when it has no destination)
 *
 * The rule carries a comment "keepalived-ts SCHED HASH": HASH covers the expression, so a later
 * run can tell whether the kernel already holds exactly this rule.
 */
import type { Family } from '../../../actors/ports.js';
import type { LbService } from '../../../actors/lvs/lb-port.js';
import { MAGLEV_SLOTS, maglevSlots } from './maglev.js';
import { destKey, destPort, splitDestKey, type DesiredService } from './model.js';
import { foSlots, HASH_SLOTS, hashSlots, rrSlots, wrrSlots, type SlotDest } from './slots.js';

/** jhash seed: fixed, so every director (and every restart) hashes a client to the same slot. */
export const JHASH_SEED = 0x6b747331;
export const COMMENT_PREFIX = 'keepalived-ts';

export interface ServiceRule {
  /** Slot → destination key; empty when nothing is live. */
  slots: string[];
  expr: unknown[];
  hash: string;
  comment: string;
}

const ipProto = (f: Family) => (f === 6 ? 'ip6' : 'ip');
const isFwmark = (s: LbService) => s.fwmark !== undefined && s.address === undefined;

/** Slots for the service's scheduler; `previous` (the kernel's table) keeps sh/dh clients in place. */
export function scheduleSlots(d: DesiredService, previous: readonly string[] | undefined): string[] {
  const dests: SlotDest[] = d.dests.map((x) => ({ key: destKey(x.address, destPort(d.service, x)), weight: x.weight }));
  switch (d.service.scheduler) {
    case 'rr':
      return rrSlots(dests);
    case 'wrr':
      return wrrSlots(dests);
    case 'fo':
      return foSlots(dests);
    case 'mh':
      return maglevSlots(dests, MAGLEV_SLOTS);
    case 'sh':
    case 'dh': {
      const prev = previous?.length === HASH_SLOTS ? previous : undefined;
      const t = hashSlots(prev, dests, HASH_SLOTS);
      return t[0] === undefined ? [] : (t as string[]);
    }
    default:
      return [];
  }
}

/** The map key expression: a counter for rr/wrr/fo, a hash of the client (sh, mh) or of the
 *  destination address (dh). sh-port / mh-port add the client's port. */
function keyExpr(s: LbService, size: number): unknown {
  const p = ipProto(s.family);
  const field = (f: string) => ({ payload: { protocol: p, field: f } });
  const withPort = (flag: string) => s.flags.includes(flag) && !isFwmark(s);
  switch (s.scheduler) {
    case 'sh':
    case 'mh': {
      const expr = withPort(`${s.scheduler}-port`) ? { concat: [field('saddr'), { payload: { protocol: 'th', field: 'sport' } }] } : field('saddr');
      return { jhash: { mod: size, seed: JHASH_SEED, expr } };
    }
    case 'dh':
      return { jhash: { mod: size, seed: JHASH_SEED, expr: field('daddr') } };
    default:
      return { numgen: { mode: 'inc', mod: size, offset: 0 } };
  }
}

/** 53 bits of two FNV-1a passes, as hex: enough to notice any change to a rule. */
export function textHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return (a.toString(16).padStart(8, '0') + (b >>> 11).toString(16).padStart(6, '0'));
}

export function serviceRule(d: DesiredService, previous: readonly string[] | undefined): ServiceRule {
  const s = d.service;
  const slots = scheduleSlots(d, previous);
  const expr: unknown[] = [];
  if (!slots.length) {
    expr.push({ reject: { type: s.family === 6 ? 'icmpv6' : 'icmp', expr: 'port-unreachable' } });
  } else {
    const fw = isFwmark(s);
    // A port mapping (and the th sport of sh-port) needs the transport protocol pinned first.
    if (!fw) expr.push({ match: { op: '==', left: { meta: { key: 'l4proto' } }, right: s.protocol ?? 'tcp' } });
    const elems = slots.map((k, i) => {
      const { address, port } = splitDestKey(k);
      return [i, fw ? address : { concat: [address, port] }];
    });
    expr.push({ dnat: { family: ipProto(s.family), addr: { map: { key: keyExpr(s, slots.length), data: { set: elems } } } } });
  }
  const hash = textHash(JSON.stringify(expr));
  return { slots, expr, hash, comment: `${COMMENT_PREFIX} ${s.scheduler} ${hash}` };
}

/** Parse our rule comment back: scheduler and hash, or undefined for a foreign rule. */
export function parseComment(comment: unknown): { scheduler: string; hash: string } | undefined {
  if (typeof comment !== 'string') return undefined;
  const m = /^keepalived-ts (\S+) ([0-9a-f]+)$/.exec(comment);
  return m ? { scheduler: m[1]!, hash: m[2]! } : undefined;
}
