/**
 * Cross-node lint: the configs of the nodes of one cluster must agree on every VRRP router they
 * share. keepalived cannot see this (each node reads only its own file); a mismatch shows up at
 * run time as dropped adverts, "bogus VRRP packet" logs or two masters.
 *
 * Instances are matched across nodes by name (same name ⇒ same router) and by (family, VRID)
 * (same VRID ⇒ same router on the wire). Linear in the number of instances.
 */
import type { Diagnostic, KeepalivedConfig, VrrpInstanceConfig } from './model.js';

export interface ClusterNode {
  /** Shown in messages; usually the config file path. */
  name: string;
  model: KeepalivedConfig;
}

interface Member {
  node: ClusterNode;
  inst: VrrpInstanceConfig;
}

const vipKey = (i: VrrpInstanceConfig) => i.vips.map((a) => `${a.address}/${a.prefixLength}`).sort().join(' ');
const authKey = (i: VrrpInstanceConfig) => (i.authentication ? `${i.authentication.type}:${i.authentication.pass}` : 'none');

function diag(m: Member, severity: Diagnostic['severity'], message: string, fix: string): Diagnostic {
  return { file: m.inst.source.file, line: m.inst.source.line, column: 1, severity, message, fix, kind: 'lint' };
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

/** Reports every member whose `value` differs from the first member's. */
function agree(out: Diagnostic[], group: Member[], what: string, value: (i: VrrpInstanceConfig) => string, fix: string) {
  const first = group[0]!;
  const v0 = value(first.inst);
  for (const m of group.slice(1)) {
    const v = value(m.inst);
    if (v !== v0) out.push(diag(m, 'error', `${what} differs between nodes: ${where(first)} has ${v0 || '(none)'}, ${where(m)} has ${v || '(none)'}`, fix));
  }
}

export function lintCluster(nodes: ClusterNode[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const members: Member[] = nodes.flatMap((node) => node.model.vrrpInstances.map((inst) => ({ node, inst })));

  for (const group of groupBy(members, (m) => m.inst.name).values()) {
    if (new Set(group.map((m) => m.node)).size < 2) continue;
    agree(out, group, `virtual_router_id of ${group[0]!.inst.name}`, (i) => String(i.vrid), 'use the same virtual_router_id on every node');
  }

  for (const group of groupBy(members, (m) => `${m.inst.family}|${m.inst.vrid}`).values()) {
    const nodesIn = new Set(group.map((m) => m.node));
    if (nodesIn.size < 2) continue;
    const label = `VRID ${group[0]!.inst.vrid} (IPv${group[0]!.inst.family})`;
    agree(out, group, `advert_int of ${label}`, (i) => `${i.advertIntervalCs / 100}s`, 'use the same advert_int on every node (v2 drops adverts with another interval)');
    agree(out, group, `VRRP version of ${label}`, (i) => `v${i.version}`, 'use the same version on every node');
    agree(out, group, `authentication of ${label}`, authKey, 'use the same auth_type and the same first 8 characters of auth_pass');
    for (const byName of groupBy(group, (m) => m.inst.name).values()) {
      agree(out, byName, `virtual_ipaddress list of ${label}`, vipKey, 'list the same VIPs on every node (backups log and count mismatched adverts)');
    }
    const names = new Set(group.map((m) => m.inst.name));
    if (names.size > 1 && new Set(group.map((m) => vipKey(m.inst))).size > 1) {
      const ifs = [...new Set(group.map((m) => m.inst.interface ?? '(none)'))].join('/');
      out.push(diag(group[1]!, 'error', `VRID collision: ${[...names].join(', ')} use ${label} on ${ifs} for different addresses`, 'give each virtual router on a link its own virtual_router_id'));
    }

    for (const same of groupBy(group, (m) => String(m.inst.priority)).values()) {
      const distinctNodes = new Set(same.map((m) => m.node));
      if (distinctNodes.size > 1 && same[0]!.inst.priority !== 255) {
        out.push(diag(same[1]!, 'warning', `${label}: ${same.map(where).join(' and ')} have the same priority ${same[0]!.inst.priority}; the higher primary IP address wins ties`, 'give each node a distinct priority'));
      }
    }
    const masters = group.filter((m) => m.inst.state === 'MASTER');
    if (masters.length > 1) {
      const np = masters.some((m) => m.inst.wantedNopreempt);
      out.push(diag(masters[1]!, 'warning', `${label}: ${masters.map(where).join(' and ')} all start as state MASTER${np ? ' with nopreempt (nopreempt is ignored with state MASTER)' : ''}`, np ? 'set state BACKUP on every node when using nopreempt' : 'start one node as MASTER, the others as BACKUP'));
    } else if (group.some((m) => m.inst.nopreempt) && masters.length === 1) {
      out.push(diag(masters[0]!, 'warning', `${label}: nopreempt is set on some nodes but ${where(masters[0]!)} is state MASTER`, 'nopreempt needs state BACKUP on every node'));
    }
    for (const m of group) {
      if (!m.inst.unicastPeers.length) continue;
      const peers = new Set(m.inst.unicastPeers.map((p) => p.address));
      for (const other of group) {
        const src = other.inst.unicastSrcIp;
        if (other.node !== m.node && src && !peers.has(src)) {
          out.push(diag(m, 'error', `${label}: ${where(m)} does not list ${where(other)}'s unicast_src_ip ${src} in unicast_peer`, `add ${src} to unicast_peer`));
        }
      }
    }
  }

  return out;
}
