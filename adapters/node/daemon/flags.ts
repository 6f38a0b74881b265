/**
 * keepalived's command line, parsed the way keepalived 2.2.7 parses it (GNU getopt_long):
 * clustered short options (`-nlD`), attached or separate arguments (`-fFILE`, `-f FILE`),
 * `--long=value` or `--long value`, unique prefixes of long names (`--vrrp_p=`), `--` ends
 * the options. Optional arguments (`-t`, `-M`, `--perf`, `--debug`) are only taken when attached.
 *
 * Every flag of `keepalived --help` is accepted. The ones keepalived-ts does not implement are
 * reported as warnings and ignored (keepalived does the same for options compiled out of a build).
 * Pure: no I/O.
 */

export type SyslogFacility =
  | 'daemon'
  | 'user'
  | 'local0'
  | 'local1'
  | 'local2'
  | 'local3'
  | 'local4'
  | 'local5'
  | 'local6'
  | 'local7';

export interface DaemonFlags {
  /** -f: default '/etc/keepalived/keepalived.conf'. */
  configFile: string;
  /** -P: only the VRRP subsystem. */
  vrrpOnly: boolean;
  /** -C: only the health-checker subsystem. */
  checkOnly: boolean;
  /** --all: start every child even without its configuration section. */
  all: boolean;
  logConsole: boolean;
  logDetail: boolean;
  logFacility: SyslogFacility;
  logFile?: string;
  flushLogFile: boolean;
  noSyslog: boolean;
  /** -u, default 0177 like keepalived. */
  umask: number;
  dontRespawn: boolean;
  dontFork: boolean;
  dumpConf: boolean;
  pidFile?: string;
  vrrpPidFile?: string;
  checkersPidFile?: string;
  /** -s: network namespace for VRRP sockets, addresses and scripts (overrides net_namespace). */
  namespace?: string;
  /** -i: the id matched by `@ID` config lines (default: short host name). */
  configId?: string;
  /** --signum=SIGFUNC: print the signal number and exit. */
  signum?: string;
  /** -t[=FILE]: handled by the check command; `true` when given without a file. */
  configTest?: string | true;
  version: boolean;
  help: boolean;
  /** keepalived-ts only: run the VRRP and checker runtimes inside the parent (debugging). */
  singleProcess: boolean;
  /** keepalived-ts only: `--web [ADDR:]PORT`, the live statecharts in a browser (docs/web.md). */
  web?: string;
  /** keepalived-ts only: `--inspect[=TARGET]`, Stately's inspector (true: the default relay). */
  inspect?: string | true;

  /** keepalived-ts only: the control socket (default: beside the pid file, `.sock` for `.pid`). */
  control?: string;
  /** keepalived-ts only: `[ADDR:]PORT` to serve Prometheus metrics on (overrides keepalived_ts_metrics). */
  metrics?: string;
  /** keepalived-ts only: append every runtime event to FILE as JSON lines (the simulator's trace format). */
  trace?: string;
}

export interface FlagParseResult {
  flags: DaemonFlags;
  /** Fatal problems (unknown option, missing parameter): keepalived prints them and exits 1. */
  errors: string[];
  /** Accepted but ignored or corrected options. */
  warnings: string[];
  /** Words that are not options: keepalived prints "Unexpected argument(s)" and carries on. */
  unexpected: string[];
}

type ArgKind = 'none' | 'required' | 'optional';

interface FlagSpec {
  short?: string;
  long: string;
  arg: ArgKind;
  /** Applies the flag; returns a warning when the option is accepted but not honoured. */
  apply: (f: DaemonFlags, value: string | undefined, warn: (m: string) => void) => void;
}

export const DEFAULT_CONFIG_FILE = '/etc/keepalived/keepalived.conf';
export const DEFAULT_UMASK = 0o177;

export function defaultFlags(): DaemonFlags {
  return {
    configFile: DEFAULT_CONFIG_FILE,
    vrrpOnly: false,
    checkOnly: false,
    all: false,
    logConsole: false,
    logDetail: false,
    logFacility: 'daemon',
    flushLogFile: false,
    noSyslog: false,
    umask: DEFAULT_UMASK,
    dontRespawn: false,
    dontFork: false,
    dumpConf: false,
    version: false,
    help: false,
    singleProcess: false,
  };
}

/** `-S` accepts 0-7 (LOG_LOCAL0-7), local0-local7, user and daemon; anything else keeps the default. */
export function parseFacility(value: string): SyslogFacility | undefined {
  if (/^[0-7]$/.test(value)) return `local${value}` as SyslogFacility;
  if (/^local[0-7]$/.test(value) || value === 'user' || value === 'daemon') return value as SyslogFacility;
  return undefined;
}

/** `-u` takes the mask "in numeric form": octal with a leading 0, else decimal (strtoul base 0). */
export function parseUmask(value: string): number | undefined {
  let n: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(value)) n = parseInt(value.slice(2), 16);
  else if (/^0[0-7]*$/.test(value)) n = parseInt(value, 8);
  else if (/^[1-9][0-9]*$/.test(value)) n = parseInt(value, 10);
  else return undefined;
  return n <= 0o777 ? n : undefined;
}

const ignored =
  (what: string) =>
  (_f: DaemonFlags, _v: string | undefined, warn: (m: string) => void): void =>
    warn(`${what} is not supported by keepalived-ts - ignoring`);
const noOp = (): void => undefined;

const SPECS: FlagSpec[] = [
  { short: 'f', long: 'use-file', arg: 'required', apply: (f, v) => void (f.configFile = v!) },
  { short: 'P', long: 'vrrp', arg: 'none', apply: (f) => void (f.vrrpOnly = true) },
  { short: 'C', long: 'check', arg: 'none', apply: (f) => void (f.checkOnly = true) },
  // keepalived-ts has no BFD subsystem, so "don't run BFD" is always true.
  { short: 'B', long: 'no_bfd', arg: 'none', apply: noOp },
  { long: 'all', arg: 'none', apply: (f) => void (f.all = true) },
  { short: 'l', long: 'log-console', arg: 'none', apply: (f) => void (f.logConsole = true) },
  { short: 'D', long: 'log-detail', arg: 'none', apply: (f) => void (f.logDetail = true) },
  {
    short: 'S',
    long: 'log-facility',
    arg: 'required',
    apply: (f, v, warn) => {
      const fac = parseFacility(v!);
      if (fac) f.logFacility = fac;
      else warn(`Invalid log facility '${v}'`);
    },
  },
  { short: 'g', long: 'log-file', arg: 'required', apply: (f, v) => void (f.logFile = v) },
  { long: 'flush-log-file', arg: 'none', apply: (f) => void (f.flushLogFile = true) },
  { short: 'G', long: 'no-syslog', arg: 'none', apply: (f) => void (f.noSyslog = true) },
  {
    short: 'u',
    long: 'umask',
    arg: 'required',
    apply: (f, v, warn) => {
      const m = parseUmask(v!);
      if (m === undefined) warn(`Invalid --umask option ${v}`);
      else f.umask = m;
    },
  },
  { short: 'X', long: 'release-vips', arg: 'none', apply: ignored('-X/--release-vips') },
  { short: 'V', long: 'dont-release-vrrp', arg: 'none', apply: ignored('-V/--dont-release-vrrp') },
  // No IPVS topology is left behind by keepalived-ts' checker, so there is nothing to keep.
  { short: 'I', long: 'dont-release-ipvs', arg: 'none', apply: ignored('-I/--dont-release-ipvs') },
  { short: 'R', long: 'dont-respawn', arg: 'none', apply: (f) => void (f.dontRespawn = true) },
  { short: 'n', long: 'dont-fork', arg: 'none', apply: (f) => void (f.dontFork = true) },
  { short: 'd', long: 'dump-conf', arg: 'none', apply: (f) => void (f.dumpConf = true) },
  { short: 'p', long: 'pid', arg: 'required', apply: (f, v) => void (f.pidFile = v) },
  { short: 'r', long: 'vrrp_pid', arg: 'required', apply: (f, v) => void (f.vrrpPidFile = v) },
  { short: 'T', long: 'genhash', arg: 'none', apply: ignored('-T/--genhash') },
  { short: 'c', long: 'checkers_pid', arg: 'required', apply: (f, v) => void (f.checkersPidFile = v) },
  { short: 'a', long: 'address-monitoring', arg: 'none', apply: ignored('-a/--address-monitoring') },
  // No BFD child, so its pid file is never written.
  { short: 'b', long: 'bfd_pid', arg: 'required', apply: noOp },
  { short: 'x', long: 'snmp', arg: 'none', apply: ignored('-x/--snmp') },
  { short: 'A', long: 'snmp-agent-socket', arg: 'required', apply: ignored('-A/--snmp-agent-socket') },
  { short: 's', long: 'namespace', arg: 'required', apply: (f, v) => void (f.namespace = v) },
  { short: 'm', long: 'core-dump', arg: 'none', apply: ignored('-m/--core-dump') },
  { short: 'M', long: 'core-dump-pattern', arg: 'optional', apply: ignored('-M/--core-dump-pattern') },
  { short: 'e', long: 'all-config', arg: 'none', apply: ignored('-e/--all-config') },
  { short: 'i', long: 'config-id', arg: 'required', apply: (f, v) => void (f.configId = v) },
  { long: 'signum', arg: 'required', apply: (f, v) => void (f.signum = v) },
  { short: 't', long: 'config-test', arg: 'optional', apply: (f, v) => void (f.configTest = v ?? true) },
  { long: 'perf', arg: 'optional', apply: ignored('--perf') },
  { long: 'debug', arg: 'optional', apply: ignored('--debug') },
  // Node manages its own memory: there is no malloc checker to disable.
  { long: 'no-mem-check', arg: 'none', apply: noOp },
  // keepalived acts on whichever of -v / -h comes first.
  { short: 'v', long: 'version', arg: 'none', apply: (f) => void (f.version ||= !f.help) },
  { short: 'h', long: 'help', arg: 'none', apply: (f) => void (f.help ||= !f.version) },
  { long: 'single-process', arg: 'none', apply: (f) => void (f.singleProcess = true) },
  { long: 'web', arg: 'required', apply: (f, v) => void (f.web = v) },
  { long: 'inspect', arg: 'optional', apply: (f, v) => void (f.inspect = v ?? true) },
  { long: 'control', arg: 'required', apply: (f, v) => void (f.control = v) },
  { long: 'metrics', arg: 'required', apply: (f, v) => void (f.metrics = v) },
  { long: 'trace', arg: 'required', apply: (f, v) => void (f.trace = v) },
];

/** Long options by name, exact match first, then a unique prefix (getopt_long's abbreviations). */
function findLong(name: string): FlagSpec | 'ambiguous' | undefined {
  const exact = SPECS.find((s) => s.long === name);
  if (exact) return exact;
  const matches = SPECS.filter((s) => s.long.startsWith(name));
  if (matches.length === 1) return matches[0];
  return matches.length > 1 ? 'ambiguous' : undefined;
}

export function parseFlags(argv: readonly string[]): FlagParseResult {
  const flags = defaultFlags();
  const errors: string[] = [];
  const warnings: string[] = [];
  const unexpected: string[] = [];
  const warn = (m: string): void => void warnings.push(m);

  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      unexpected.push(...argv.slice(i + 1));
      break;
    }
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      const name = eq >= 0 ? word.slice(2, eq) : word.slice(2);
      const spec = findLong(name);
      if (spec === 'ambiguous') {
        errors.push(`Ambiguous option ${word}`);
        continue;
      }
      if (!spec) {
        errors.push(`Unknown option ${word}`);
        continue;
      }
      let value: string | undefined = eq >= 0 ? word.slice(eq + 1) : undefined;
      if (spec.arg === 'none' && value !== undefined) {
        errors.push(`Option --${spec.long} does not take a parameter`);
        continue;
      }
      if (spec.arg === 'required' && value === undefined) {
        if (i + 1 >= argv.length) {
          errors.push(`Missing parameter for option --${spec.long}`);
          continue;
        }
        value = argv[++i];
      }
      spec.apply(flags, value, warn);
      continue;
    }
    if (word.startsWith('-') && word.length > 1) {
      // A cluster of short options; the first one taking an argument consumes the rest.
      for (let j = 1; j < word.length; j++) {
        const ch = word[j]!;
        const spec = SPECS.find((s) => s.short === ch);
        if (!spec) {
          errors.push(`Unknown option -${ch}`);
          continue;
        }
        if (spec.arg === 'none') {
          spec.apply(flags, undefined, warn);
          continue;
        }
        const rest = word.slice(j + 1);
        if (rest.length > 0) spec.apply(flags, rest, warn);
        else if (spec.arg === 'optional') spec.apply(flags, undefined, warn);
        else if (i + 1 < argv.length) spec.apply(flags, argv[++i], warn);
        else errors.push(`Missing parameter for option -${ch}`);
        break;
      }
      continue;
    }
    unexpected.push(word);
  }
  return { flags, errors, warnings, unexpected };
}

export const KEEPALIVED_COMPAT_VERSION = 'v2.2.7';

export function versionText(ourVersion: string): string {
  return [
    `Keepalived-ts v${ourVersion} (command line and configuration of Keepalived ${KEEPALIVED_COMPAT_VERSION})`,
    '',
    'keepalived-ts: keepalived rebuilt in TypeScript as an XState v5 actor runtime.',
    'Keepalived is Copyright(C) 2001-2022 Alexandre Cassen; keepalived-ts is an independent reimplementation.',
  ].join('\n');
}

/** keepalived's options, one per line (the body of `keepalived-ts --help` and `keepalived-ts daemon --help`). */
export function daemonOptionsText(): string {
  return `  -f, --use-file=FILE          Use the specified configuration file
                                default '${DEFAULT_CONFIG_FILE}'
  -P, --vrrp                   Only run with VRRP subsystem
  -C, --check                  Only run with Health-checker subsystem
  -B, --no_bfd                 Don't run BFD subsystem (keepalived-ts has none)
      --all                    Force all child processes to run, even if have no configuration
  -l, --log-console            Log messages to local console
  -D, --log-detail             Detailed log messages (adds debug-level messages)
  -S, --log-facility=([0-7]|local[0-7]|user|daemon)
                               Set syslog facility to LOG_LOCAL[0-7], user or daemon (default)
  -g, --log-file=FILE          Also write log lines to FILE (_vrrp, _healthcheckers
                                inserted before the last '.' for the children)
      --flush-log-file         Flush the log file after each line (always done)
  -G, --no-syslog              Don't log via syslog
  -u, --umask=MASK             umask for file creation (in numeric form, default 0177)
  -R, --dont-respawn           Don't respawn child processes
  -n, --dont-fork              Don't fork the daemon process
  -d, --dump-conf              Dump the configuration data
  -p, --pid=FILE               Use specified pidfile for parent process
  -r, --vrrp_pid=FILE          Use specified pidfile for VRRP child process
  -c, --checkers_pid=FILE      Use specified pidfile for checkers child process
  -i, --config-id id           Skip any configuration lines beginning '@' that don't match id
                                or any lines beginning @^ that do match.
                                The config-id defaults to the node name if option not used
      --signum=SIGFUNC         Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON
  -t, --config-test[=LOG_FILE] Check the configuration for obvious errors, output to
                                stderr by default
      --single-process         Run the VRRP and checker subsystems inside one process (debugging)
      --web=[ADDR:]PORT        Serve the live statecharts to a browser (127.0.0.1 unless ADDR)
      --inspect[=TARGET]       Send every actor's events to Stately's inspector: TARGET
                                [ADDR:]PORT hosts the relay (default 127.0.0.1:8080),
                                ws://HOST:PORT sends to a running one

      --control=PATH           Control socket for 'keepalived-ts status|reload|stop'
                                (default: the pid file with .sock for .pid, /run/keepalived.sock)
      --metrics=[ADDR:]PORT    Serve Prometheus metrics at http://ADDR:PORT/metrics
                                (ADDR default 127.0.0.1; also global_defs keepalived_ts_metrics)
      --trace=FILE             Append every runtime event to FILE as JSON lines (the simulator's format)
  -v, --version                Display the version number
  -h, --help                   Display this help message

  -s, --namespace=NAME         Run in network namespace NAME (overrides config)
Accepted for compatibility and ignored with a warning: -X, -V, -I, -T, -a, -x, -A, -m, -M, -e,
--perf, --debug. Accepted with nothing to do: -B, -b (no BFD subsystem), --no-mem-check.
`;
}

/** `keepalived-ts daemon --help`: keepalived's usage line and options. */
export function helpText(program: string): string {
  return `Usage: ${program} [daemon] [OPTION...]\n${daemonOptionsText()}`;
}
