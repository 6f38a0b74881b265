/**
 * LVS is not implemented yet. keepalived-ts compiles and checks virtual_server blocks (and the
 * checker child starts, as keepalived's would), but no IPVS service is created and no real
 * server is health-checked. Until that lands, `check` and the daemon say so with the warning
 * below (the daemon logs it at start-up and on every reload). This file is the one place that
 * says it: delete it and its two call sites (adapters/node/commands/check.ts,
 * adapters/node/daemon/config-load.ts) when the checkers land.
 */
import type { Diagnostic, KeepalivedConfig } from '../../config/index.js';

export function lvsNotActedOn(model: KeepalivedConfig): Diagnostic | undefined {
  const first = model.virtualServers[0];
  if (!first) return undefined;
  const n = model.virtualServers.length;
  return {
    file: first.source.file,
    line: first.source.line,
    column: 1,
    severity: 'warning',
    kind: 'lint',
    message: `WARNING - ${n} virtual_server block${n === 1 ? '' : 's'} not acted on: keepalived-ts does not implement LVS yet (no IPVS service is created, no real server is health-checked); VRRP is not affected`,
    fix: 'keep these virtual servers on keepalived until keepalived-ts implements LVS',
  };
}
