/**
 * The difference between the desired services and the kernel's table, as one batch per family.
 * Pure: (desired, removed, kernel, touched) → commands and the kernel table they will leave.
 *
 * `touched` is either the services the latest commands changed (the common, cheap case) or 'all'
 * (at start and after an error: every desired service is compared with the kernel by its rule
 * hash and only differing ones are rewritten). Services in the table that the commands never
 * named are left alone, as keepalived leaves IPVS services it does not know; flush() removes them.
 */
import type { Family } from '../../../actors/ports.js';
import type { LbService } from '../../../actors/lvs/lb-port.js';
import { baseCommands, putServiceCommands, removeServiceCommands, setSyncCommands, type NftCommand, type ServiceDispatch, type TableOptions } from './batch.js';
import { chainName, type DesiredService, type KernelService, type KernelTable } from './model.js';
import { serviceRule } from './rule.js';

export interface PlanInput {
  family: Family;
  desired: DesiredService[];
  /** Services deleted by command (key → service), to be removed from the kernel. */
  removed: ReadonlyMap<string, LbService>;
  kernel: KernelTable;
  touched: ReadonlySet<string> | 'all';
  options: TableOptions;
}

export interface FamilyPlan {
  cmds: NftCommand[];
  /** The kernel table once the commands have been applied. */
  next: KernelTable;
}

export function dispatchOf(s: Pick<LbService, 'protocol' | 'address' | 'port' | 'fwmark'>): ServiceDispatch {
  const d: ServiceDispatch = { chain: chainName(s) };
  if (s.fwmark !== undefined && s.address === undefined) d.fwmark = s.fwmark;
  else {
    d.protocol = s.protocol ?? 'tcp';
    d.address = s.address ?? '';
    d.port = s.port ?? 0;
  }
  return d;
}

const isTouched = (t: PlanInput['touched'], key: string) => t === 'all' || t.has(key);

export function planFamily(p: PlanInput): FamilyPlan {
  const { family: f, kernel, options: o } = p;
  const next: KernelTable = { ...kernel, services: new Map(kernel.services), vips: new Set(kernel.vips), marks: new Set(kernel.marks) };
  const body: NftCommand[] = [];

  for (const [key, service] of p.removed) {
    if (service.family !== f) continue;
    if (!isTouched(p.touched, key) && !kernel.services.has(key)) continue;
    // No table, nothing to remove; otherwise remove idempotently (the cache may be behind).
    if (kernel.present) body.push(...removeServiceCommands(f, o, dispatchOf(service)));
    next.services.delete(key);
  }

  for (const d of p.desired) {
    if (d.service.family !== f || !isTouched(p.touched, d.key)) continue;
    const have = kernel.services.get(d.key);
    const rule = serviceRule(d, have?.slots);
    if (have && have.hash === rule.hash) continue;
    const dispatch = dispatchOf(d.service);
    body.push(...putServiceCommands(f, o, dispatch, rule.expr, rule.comment));
    const k: KernelService = { key: d.key, family: f, chain: dispatch.chain, hash: rule.hash, scheduler: d.service.scheduler, slots: rule.slots };
    if (dispatch.fwmark !== undefined) k.fwmark = dispatch.fwmark;
    else Object.assign(k, { protocol: d.service.protocol ?? 'tcp', address: dispatch.address, port: dispatch.port });
    next.services.set(d.key, k);
  }

  const base = baseCommands(f, o, kernel.postrouting);
  const needBase = (kernel.present || body.length > 0) && (kernel.baseHash !== base.hash || kernel.postrouting !== o.masquerade);
  const cmds: NftCommand[] = [];
  if (needBase) {
    cmds.push(...base.cmds);
    next.present = true;
    next.baseHash = base.hash;
    next.postrouting = o.masquerade;
    if (!o.masquerade) (next.vips = new Set()), (next.marks = new Set());
  }
  cmds.push(...body);

  if (o.masquerade && next.present) {
    const vips = new Set<string>();
    const marks = new Set<number>();
    for (const s of next.services.values()) {
      if (s.fwmark !== undefined) marks.add(s.fwmark);
      else if (s.address) vips.add(s.address);
    }
    cmds.push(...setSyncCommands(f, o, 'vips', kernel.vips, vips), ...setSyncCommands(f, o, 'marks', kernel.marks, marks));
    next.vips = vips;
    next.marks = marks;
  }
  return { cmds, next };
}
