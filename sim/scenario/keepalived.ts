/**
 * Compiling a host's keepalived.conf for the simulator with the daemon's own compiler. As
 * keepalived does, only fatal problems stop the host; other findings become warnings that the
 * CLI prints (a production config with a stray keyword can still be rehearsed). virtual_server
 * blocks run too: a director's daemon runs the LVS subsystem against the simulated real servers.
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
    return { model: r.model, errors, warnings };
  };
}
