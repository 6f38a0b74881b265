/**
 * Compiling a host's keepalived.conf for the simulator with the daemon's own compiler. As
 * keepalived does, only fatal problems stop the host; other findings become warnings that the
 * CLI prints (a production config with a stray keyword can still be rehearsed). virtual_server
 * blocks are compiled and left alone, with a warning: the simulator has no LVS yet.
 */
import { compileConfig } from '../../config/index.js';
import { formatDiagnostic } from '../../config/diag.js';
import type { CompiledConfig } from './load.js';

export function compileKeepalived(readFile: (path: string) => string | undefined) {
  return (text: string, fileName: string, interfaces: string[]): CompiledConfig => {
    // No interfaces known yet (a first look at a --config file): skip the interface check.
    const r = compileConfig(fileName, (p) => (p === fileName ? text : readFile(p)), interfaces.length > 0 ? { interfaces } : {});
    const errors: string[] = [];
    const warnings: string[] = [];
    for (const d of r.diagnostics) {
      if (d.severity === 'info') continue;
      (d.kind === 'fatal' ? errors : warnings).push(formatDiagnostic(d));
    }
    const lvs = r.model.virtualServers.length;
    if (lvs > 0) warnings.push(`${fileName}: ${lvs} virtual_server block${lvs === 1 ? ' is' : 's are'} compiled but not simulated: the simulator has no LVS/IPVS or health checkers yet`);
    return { model: r.model, errors, warnings };
  };
}
