/**
 * Cross-node lint: the configs of the nodes of one cluster must agree on every VRRP router they
 * share. keepalived cannot see this (each node reads only its own file); a mismatch shows up at
 * run time as dropped adverts, "bogus VRRP packet" logs or two masters.
 *
 * Instances are matched across nodes by name (same name ⇒ same router) and by (family, VRID)
 * (same VRID ⇒ same router on the wire). Linear in the number of instances.
 */
import { MAX_DIAGNOSTICS } from './diag.js';
import type { Diagnostic, KeepalivedConfig, VrrpInstanceConfig } from './model.js';
import { keywordPositions } from './normalise-vrrp.js';

export interface ClusterNode {
  /** Shown in messages; usually the config file path. */
  name: string;
  model: KeepalivedConfig;
}

interface Member {
  node: ClusterNode;
  inst: VrrpInstanceConfig;
}

interface At {
  file: string;
  line: number;
  column: number;
  /** The keyword was written (not a default). */
  written: boolean;
}

const vipKey = (i: VrrpInstanceConfig) => i.vips.map((a) => `${a.address}/${a.prefixLength}`).sort().join(' ');

/** Where the first of `keywords` is written in the member's instance; else the vrrp_instance line. */
function at(m: Member, ...keywords: string[]): At {
  const marks = keywordPositions.get(m.inst);
  for (const k of keywords) {
    const p = marks?.[k];
    if (p) return { file: p.file, line: p.line, column: p.col ?? 1, written: true };
  }
  return { file: m.inst.source.file, line: m.inst.source.line, column: 1, written: false };
}

const ref = (a: At) => `${a.file}:${a.line}:${a.column}`;

function diag(a: At, severity: Diagnostic['severity'], message: string, fix: string): Diagnostic {
  return { file: a.file, line: a.line, column: a.column, severity, message, fix, kind: 'lint' };
}

function groupBy(members: Member[], key: (m: Member) => string): Map<string, Member[]> {
  const out = new Map<string, Member[]>();
  for (const m of members) {
    const k = key(m);
    const list = out.get(k);
    if (list) list.push(m);
    else out.set(k, [m]);
  }
  return out;
}

const where = (m: Member) => `${m.inst.name}@${m.node.name}`;

/**
 * Reports every member whose `value` differs from the first member's, at the keyword that sets it
 * on that member, naming where the first member sets it (each side's keyword, not the block).
 */
function agree(out: Diagnostic[], group: Member[], what: string, keywords: string[], value: (i: VrrpInstanceConfig) => string, fix: string) {
  const first = group[0]!;
  const v0 = value(first.inst);
  const a0 = at(first, ...keywords);
  const shown = (v: string, a: At) => `${v || '(none)'}${a.written ? '' : ' (default)'}`;
  for (const m of group.slice(1)) {
    const v = value(m.inst);
    if (v === v0) continue;
    const a = at(m, ...keywords);
    out.push(diag(a, 'error', `${what} differs between nodes: ${where(m)} has ${shown(v, a)} here, ${where(first)} has ${shown(v0, a0)} at ${ref(a0)}`, fix));
  }
}

/** Passwords are compared, never shown: only which sides differ and where. */
function agreeOnPassword(out: Diagnostic[], group: Member[], label: string) {
  const withPass = group.filter((m) => m.inst.authentication);
  const first = withPass[0];
  if (!first) return;
  for (const m of withPass.slice(1)) {
    if (m.inst.authentication!.type !== first.inst.authentication!.type) continue; // reported as a type mismatch
    if (m.inst.authentication!.pass === first.inst.authentication!.pass) continue;
    const a0 = at(first, 'auth_pass', 'authentication');
    out.push(diag(at(m, 'auth_pass', 'authentication'), 'error', `auth_pass of ${label} differs between nodes: ${where(m)} (here) and ${where(first)} (${ref(a0)}) use different passwords (not shown)`, 'use the same first 8 characters of auth_pass on every node'));
  }
}

export function lintCluster(nodes: ClusterNode[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const members: Member[] = nodes.flatMap((node) => node.model.vrrpInstances.map((inst) => ({ node, inst })));

  for (const group of groupBy(members, (m) => m.inst.name).values()) {
    if (new Set(group.map((m) => m.node)).size < 2) continue;
    agree(out, group, `virtual_router_id of ${group[0]!.inst.name}`, ['virtual_router_id'], (i) => String(i.vrid), 'use the same virtual_router_id on every node');
  }

  for (const group of groupBy(members, (m) => `${m.inst.family}|${m.inst.vrid}`).values()) {
    const nodesIn = new Set(group.map((m) => m.node));
    if (nodesIn.size < 2) continue;
    const label = `VRID ${group[0]!.inst.vrid} (IPv${group[0]!.inst.family})`;
    agree(out, group, `advert_int of ${label}`, ['advert_int'], (i) => `${i.advertIntervalCs / 100}s`, 'use the same advert_int on every node (v2 drops adverts with another interval)');
    agree(out, group, `VRRP version of ${label}`, ['version'], (i) => `v${i.version}`, 'use the same version on every node');
    agree(out, group, `authentication of ${label}`, ['auth_type', 'authentication'], (i) => i.authentication?.type ?? 'none', 'use the same auth_type on every node');
    agreeOnPassword(out, group, label);
    for (const byName of groupBy(group, (m) => m.inst.name).values()) {
      agree(out, byName, `virtual_ipaddress list of ${label}`, ['virtual_ipaddress'], vipKey, 'list the same VIPs on every node (backups log and count mismatched adverts)');
    }
    const names = new Set(group.map((m) => m.inst.name));
    if (names.size > 1 && new Set(group.map((m) => vipKey(m.inst))).size > 1) {
      const ifs = [...new Set(group.map((m) => m.inst.interface ?? '(none)'))].join('/');
      const a0 = at(group[0]!, 'virtual_router_id');
      out.push(diag(at(group[1]!, 'virtual_router_id'), 'error', `VRID collision: ${[...names].join(', ')} use ${label} on ${ifs} for different addresses (also at ${ref(a0)})`, 'give each virtual router on a link its own virtual_router_id'));
    }

    for (const same of groupBy(group, (m) => String(m.inst.priority)).values()) {
      const distinctNodes = new Set(same.map((m) => m.node));
      if (distinctNodes.size > 1 && same[0]!.inst.priority !== 255) {
        const a0 = at(same[0]!, 'priority');
        out.push(diag(at(same[1]!, 'priority'), 'warning', `${label}: ${same.map(where).join(' and ')} have the same priority ${same[0]!.inst.priority} (also at ${ref(a0)}); the higher primary IP address wins ties`, 'give each node a distinct priority'));
      }
    }
    const masters = group.filter((m) => m.inst.state === 'MASTER' || m.inst.wantedMaster);
    if (masters.length > 1) {
      const np = masters.some((m) => m.inst.wantedNopreempt);
      const a0 = at(masters[0]!, 'state');
      out.push(diag(at(masters[1]!, 'state'), 'warning', `${label}: ${masters.map(where).join(' and ')} all start as state MASTER (also at ${ref(a0)})${np ? ' with nopreempt (nopreempt is ignored with state MASTER)' : ''}`, np ? 'set state BACKUP on every node when using nopreempt' : 'start one node as MASTER, the others as BACKUP'));
    } else if (group.some((m) => m.inst.nopreempt) && masters.length === 1) {
      const np = group.find((m) => m.inst.nopreempt)!;
      out.push(diag(at(masters[0]!, 'state'), 'warning', `${label}: nopreempt is set on some nodes (${ref(at(np, 'nopreempt'))}) but ${where(masters[0]!)} is state MASTER`, 'nopreempt needs state BACKUP on every node'));
    }
    for (const m of group) {
      if (!m.inst.unicastPeers.length) continue;
      const peers = new Set(m.inst.unicastPeers.map((p) => p.address));
      for (const other of group) {
        const src = other.inst.unicastSrcIp;
        if (other.node !== m.node && src && !peers.has(src)) {
          out.push(diag(at(m, 'unicast_peer'), 'error', `${label}: ${where(m)} does not list ${where(other)}'s unicast_src_ip ${src} (${ref(at(other, 'unicast_src_ip'))}) in unicast_peer`, `add ${src} to unicast_peer`));
        }
      }
    }
  }

  if (out.length > MAX_DIAGNOSTICS) {
    const last = out[MAX_DIAGNOSTICS - 1]!;
    const more = out.length - MAX_DIAGNOSTICS;
    out.length = MAX_DIAGNOSTICS;
    out.push({ file: last.file, line: last.line, column: 1, severity: 'info', message: `${more} more diagnostics not shown`, kind: 'lint' });
  }
  return out;
}
