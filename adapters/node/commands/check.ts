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
import { scriptUserLookup } from '../../linux/users.js';
import { EXIT_USAGE } from '../cli-usage.js';
import { listConfigDir as listDir, readConfigText as readText } from '../config-files.js';
import { DEFAULT_CONFIG_FILE, parseFlags } from '../daemon/flags.js';

export interface CheckArgs {
  files: string[];
  json: boolean;
  print: boolean;
  configId?: string;
  logFile?: string;
  /** Skip host checks (interfaces, scripts): compile the text only. */
  noHost: boolean;
}

const SYNOPSIS = `usage: keepalived-ts check [-f] FILE [FILE...] [--json] [--print] [--no-host] [-i ID]
       keepalived-ts -t [-f FILE] [keepalived options]      (keepalived's spelling)`;

export const USAGE = `${SYNOPSIS}

Compiles each configuration and prints its diagnostics on stderr as
file:line:col: severity: message (fix: ...). Several files are also compared as the nodes of
one cluster (VRIDs, priorities, authentication, VIPs).

options:
  -f, --use-file FILE    a configuration file (repeat it, or give bare FILEs;
                         default /etc/keepalived/keepalived.conf)
  -i, --config-id ID     the id matched by @ID lines (default: the short host name)
  --json                 print the compiled model as JSON on stdout
  --print                print the configuration back, normalised, on stdout
  --no-host              compile the text only: skip this host's interface, script and user checks
  -t, --config-test[=LOGFILE]
                         keepalived's spelling; with LOGFILE the report goes there, not to stderr
  -h, --help             this help
keepalived's other options are accepted and ignored.

exit status, as keepalived -t: 0 fine, 4 cannot run, 5 errors it would still run with,
6 scripts without enable_script_security, 2 keepalived would stop reading; also 2 for a
usage error (unknown option).`;

/** A parse result that is not a set of arguments: help asked for, or a usage error. */
export type CheckArgsProblem = { help: true } | { usage: string };

export function parseCheckArgs(argv: string[]): CheckArgs | CheckArgsProblem {
  const a: CheckArgs = { files: [], json: false, print: false, noHost: false };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const value = (): string | undefined => argv[++i];
    if (x === '-h' || x === '--help') return { help: true };
    if (x === '-f' || x === '--use-file') {
      const v = value();
      if (v === undefined) return { usage: `${x} needs a file name` };
      a.files.push(v);
    } else if (x.startsWith('--use-file=')) a.files.push(x.slice(11));
    else if (x === '-i' || x === '--config-id') {
      const v = value();
      if (v === undefined) return { usage: `${x} needs an id` };
      a.configId = v;
    } else if (x.startsWith('--config-id=')) a.configId = x.slice(12);
    else if (x === '-t' || x === '--config-test') continue;
    else if (x.startsWith('--config-test=')) a.logFile = x.slice(14);
    else if (x === '--json') a.json = true;
    else if (x === '--print') a.print = true;
    else if (x === '--no-host') a.noHost = true;
    else if (x === '--') a.files.push(...argv.splice(i + 1));
    else if (x.startsWith('-') && x.length > 1) {
      // Any other option must be one of keepalived's (accepted, and ignored unless it names the
      // config file, config id or -t's log file), parsed exactly as the daemon parses it.
      const alone = parseFlags([x]);
      const needsValue = alone.errors.some((e) => e.startsWith('Missing parameter'));
      const r = needsValue ? parseFlags([x, argv[i + 1] ?? '']) : alone;
      const unknown = r.errors.find((e) => !e.startsWith('Missing parameter'));
      if (unknown) return { usage: unknown.replace(/^Unknown option/, 'unknown option') };
      if (needsValue && argv[i + 1] === undefined) return { usage: alone.errors[0]! };
      if (needsValue) i++;
      if (r.flags.configFile !== DEFAULT_CONFIG_FILE) a.files.push(r.flags.configFile);
      if (r.flags.configId !== undefined) a.configId = r.flags.configId;
      if (typeof r.flags.configTest === 'string') a.logFile = r.flags.configTest;
      if (r.flags.help) return { help: true };
    } else a.files.push(x);
  }
  if (!a.files.length) a.files.push(DEFAULT_CONFIG_FILE);
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
    ...(args.noHost ? {} : { interfaces: hostInterfaces(), scriptStatus, scriptUser: scriptUserLookup() }),
  });
  // Without IPVS (or with lvs_backend nftables) the daemon balances with nftables: say now which
  // virtual servers it would refuse. With lvs_backend ipvs on a host without IPVS, none would run.
  const vss = r.model.virtualServers;
  const backend = r.model.globalDefs.lvsBackend ?? 'auto';
  if (!args.noHost && vss.length) {
    const ipvs = backend === 'nftables' ? false : hostHasIpvs();
    if (backend === 'ipvs' && !ipvs) {
      const first = vss[0]!;
      r.diagnostics.push({
        file: first.source.file,
        line: first.source.line,
        column: 1,
        severity: 'warning',
        kind: 'lint',
        message: `lvs_backend ipvs, and this host has no IPVS: the daemon would log an error for each of the ${vss.length} virtual server${vss.length === 1 ? '' : 's'} and run none of them (VRRP runs)`,
        fix: 'load IPVS (modprobe ip_vs), or use lvs_backend auto / nftables',
      });
    } else if (!ipvs) r.diagnostics.push(...nftRefusalDiagnostics(vss));
  }
  return r;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCheckArgs(argv);
  if ('help' in args) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ('usage' in args) {
    process.stderr.write(`keepalived-ts check: ${args.usage}\n${SYNOPSIS}\n('keepalived-ts check --help' lists the options)\n`);
    return EXIT_USAGE;
  }
  const results = args.files.map((f) => ({ file: f, ...compileOne(f, args) }));
  const lines: string[] = [];
  for (const r of results) {
    for (const d of r.diagnostics) lines.push(formatDiagnostic(d));
  }
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
