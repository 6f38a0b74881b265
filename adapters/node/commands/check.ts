/**
 * `keepalived-ts check [-f] FILE [FILE…] [--json] [--print] [-i ID]` and keepalived's own spelling
 * `keepalived-ts -t -f FILE` / `--config-test[=LOGFILE]`.
 *
 * Prints diagnostics (`file:line:col: severity: message (fix: …)`) and exits like
 * `keepalived --config-test`: 0 fine, 4 cannot run, 5 errors but would run, 6 scripts without
 * enable_script_security, 2 keepalived would stop reading (missing parameter). With several files,
 * the nodes are also compared as one cluster (config/lint-cluster.ts).
 * This is the only config-related file that touches the file system.
 */
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { compileConfig, type CompileResult, type ScriptStatus } from '../../../config/index.js';
import { formatDiagnostic } from '../../../config/diag.js';
import { configTestExitCode, EXIT_ERRORS } from '../../../config/exit-code.js';
import { lintCluster } from '../../../config/lint-cluster.js';
import { printConfig } from '../../../config/print.js';
import { nftRefusalDiagnostics } from '../../../actors/lvs/nft-refusal.js';
import { listConfigDir as listDir, readConfigText as readText } from '../config-files.js';

export interface CheckArgs {
  files: string[];
  json: boolean;
  print: boolean;
  configId?: string;
  logFile?: string;
  /** Skip host checks (interfaces, scripts): compile the text only. */
  noHost: boolean;
}

const IGNORED_WITH_VALUE = new Set(['-p', '--pid', '-r', '--vrrp_pid', '-c', '--checkers_pid', '-b', '--bfd_pid', '-S', '--log-facility', '-s', '--namespace', '-g', '--log-file', '-u', '--umask', '-M', '--core-dump-pattern', '-A', '--snmp-agent-socket']);

export function parseCheckArgs(argv: string[]): CheckArgs | string {
  const a: CheckArgs = { files: [], json: false, print: false, noHost: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const value = (): string | undefined => argv[++i];
    if (x === '-f' || x === '--use-file') {
      const v = value();
      if (v === undefined) return `${x} needs a file name`;
      a.files.push(v);
    } else if (x.startsWith('--use-file=')) a.files.push(x.slice(11));
    else if (x === '-i' || x === '--config-id') a.configId = value();
    else if (x.startsWith('--config-id=')) a.configId = x.slice(12);
    else if (x === '-t' || x === '--config-test') continue;
    else if (x.startsWith('--config-test=')) a.logFile = x.slice(14);
    else if (x === '--json') a.json = true;
    else if (x === '--print') a.print = true;
    else if (x === '--no-host') a.noHost = true;
    else if (IGNORED_WITH_VALUE.has(x)) i++;
    else if (x.startsWith('-')) continue;
    else a.files.push(x);
  }
  if (!a.files.length) a.files.push('/etc/keepalived/keepalived.conf');
  return a;
}


function hostInterfaces(): string[] | undefined {
  return listDir('/sys/class/net');
}

/** What keepalived's check_script_secure decides, in short: found and executable, and whether non-root can change it. */
export function scriptStatus(cmd: string): ScriptStatus {
  const candidates = cmd.includes('/') ? [cmd] : (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).map((d) => join(d, cmd));
  for (const path of candidates) {
    try {
      if (!statSync(path).isFile()) continue;
      accessSync(path, constants.X_OK);
    } catch {
      continue;
    }
    for (let p = resolve(path); ; p = dirname(p)) {
      const st = statSync(p);
      const writableByOthers = (st.mode & 0o002) !== 0 && !((st.mode & 0o1000) !== 0 && p !== resolve(path));
      if (st.uid !== 0 || writableByOthers || (st.mode & 0o020) !== 0) return 'insecure';
      if (p === '/') break;
    }
    return 'ok';
  }
  return 'missing';
}

/** IPVS is loaded (keepalived would modprobe it, so a loadable module counts too). */
export function hostHasIpvs(): boolean {
  if (existsSync('/proc/net/ip_vs')) return true;
  const mods = `/lib/modules/${release()}`;
  return [`${mods}/modules.dep`, `${mods}/modules.builtin`].some((f) => (readText(f) ?? '').includes('/ip_vs.ko'));
}

function compileOne(file: string, args: CheckArgs): CompileResult {
  const r = compileConfig(file, readText, {
    listDir,
    configId: args.configId ?? hostname().split('.')[0],
    ...(args.noHost ? {} : { interfaces: hostInterfaces(), scriptStatus }),
  });
  // Without IPVS the daemon balances with nftables: say now which virtual servers it would refuse.
  if (!args.noHost && r.model.virtualServers.length && !hostHasIpvs()) r.diagnostics.push(...nftRefusalDiagnostics(r.model.virtualServers));
  return r;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCheckArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`keepalived-ts check: ${args}\n`);
    return 1;
  }
  const results = args.files.map((f) => ({ file: f, ...compileOne(f, args) }));
  const lines: string[] = [];
  for (const r of results) for (const d of r.diagnostics) lines.push(formatDiagnostic(d));
  let code = configTestExitCode(results.flatMap((r) => r.diagnostics));
  if (results.length > 1) {
    const cluster = lintCluster(results.map((r) => ({ name: r.file, model: r.model })));
    for (const d of cluster) lines.push(formatDiagnostic(d));
    if (cluster.some((d) => d.severity === 'error') && code === 0) code = EXIT_ERRORS;
  }
  const report = lines.length ? `${lines.join('\n')}\n` : '';
  if (args.logFile) writeFileSync(args.logFile, report);
  else process.stderr.write(report);
  if (args.json) {
    const models = results.map((r) => r.model);
    process.stdout.write(`${JSON.stringify(models.length === 1 ? models[0] : models, null, 2)}\n`);
  }
  if (args.print) for (const r of results) process.stdout.write(printConfig(r.model));
  return code;
}
