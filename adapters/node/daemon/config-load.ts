/**
 * Reads and compiles keepalived.conf for the daemon (start-up and SIGHUP) with config/'s
 * compileConfig, and decides whether the result may run.
 *
 *  - start-up: a missing file or a 'fatal'/'abort' diagnostic stops the daemon; other errors are
 *    logged and the daemon runs without the bad lines, as keepalived does.
 *  - reload: any configuration error (unknown keyword, bad value, missing parameter, cannot run)
 *    keeps the running configuration (validate-then-apply; keepalived only does this with
 *    `reload_check_config`). Script-security findings and keepalived-ts lint do not block,
 *    because keepalived runs such configurations too.
 */
import { hostname } from 'node:os';
import { compileConfig, formatDiagnostic, type Diagnostic, type KeepalivedConfig } from '../../../config/index.js';
import { scriptUserLookup } from '../../linux/users.js';
import { listConfigDir as listDir, readConfigText as readText } from '../config-files.js';

export { formatDiagnostic };

export interface LoadedConfig {
  model: KeepalivedConfig;
  diagnostics: Diagnostic[];
  /** Errors that make a reload keep the running configuration. */
  errors: Diagnostic[];
  /** Some error means keepalived could not run this configuration at all. */
  fatal: boolean;
}

/** keepalived's default config id: the host name without its domain. */
export function defaultConfigId(): string {
  return hostname().split('.')[0] ?? '';
}


/**
 * `scriptUser` answers whether a script user exists (default: /etc/passwd and /etc/group). A
 * script no user may run (enable_script_security without script_user or keepalived_script) is
 * dropped from the model, as keepalived drops it; instances tracking it run without it.
 */
export function loadConfig(path: string, configId: string | undefined, scriptUser: (user: string, group?: string) => boolean = scriptUserLookup()): LoadedConfig {
  const { model, diagnostics } = compileConfig(path, readText, { listDir, configId: configId ?? defaultConfigId(), scriptUser });
  const errors = diagnostics.filter((d) => d.severity === 'error' && d.kind !== 'security' && d.kind !== 'lint');
  const missing = readText(path) === undefined;
  const fatal = missing || errors.some((d) => d.kind === 'fatal' || d.kind === 'abort');
  return { model, diagnostics, errors, fatal };
}

