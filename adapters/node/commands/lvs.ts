/**
 * keepalived-ts lvs plan -f FILE [--backend ipvs|nftables] [--hex]
 *
 * Prints what the daemon would program at start for a config (adapters/node/lvs-plan.ts): for
 * IPVS one generic netlink request per line, in words or (--hex) as the bytes sent; for nftables
 * each atomic batch as the JSON `nft -j -f` reads. Nothing is probed, run or programmed.
 * `keepalived-ts lvs [--json] [--watch] [--control PATH | -p PIDFILE]` (no sub-command): the
 * running daemon's table, as `ipvsadm -Ln` shows it (lvs-table.ts).
 */
import { compileConfig } from '../../../config/index.js';
import { formatDiagnostic } from '../../../config/diag.js';
import { EXIT_USAGE } from '../cli-usage.js';
import { listConfigDir, readConfigText } from '../config-files.js';
import { LVS_TABLE_USAGE, runLvsTable } from './lvs-table.js';
import { describeIpvsRequest, planLvs, toHex, type PlanBackend } from '../lvs-plan.js';

const SYNOPSIS = 'usage: keepalived-ts lvs plan -f FILE [--backend ipvs|nftables] [--hex]';

const USAGE = `Usage: keepalived-ts lvs plan -f FILE [--backend ipvs|nftables] [--hex]

Prints what the daemon would program into the load balancer when it starts with FILE, in order,
as an empty kernel table would receive it. Nothing is probed, run or programmed: the LVS part of
the daemon runs in the simulator and its table calls go to the real backend code, with a fake
IPVS socket or an nft runner that only records.

Every real server starts up (keepalived's rule without alpha); a virtual server with ha_suspend
is left out (its address is not local here); a virtual server the backend cannot carry is
refused, with the reason on stderr, and the exit status is then 1.

Options:
  -f, --use-file FILE   the configuration (default /etc/keepalived/keepalived.conf)
  --backend ipvs        IPVS generic netlink requests, one per line (the default, unless the
                        config says lvs_backend nftables); queries (family lookup, GET_INFO,
                        table reads) are left out
  --backend nftables    each atomic nft batch, as one line of JSON (nft -j -f reads it)
  --hex                 IPVS: each request as its bytes in hex (nlmsghdr onwards; sequence
                        number 0, port id 0x1234, family id 0x20)
  -h, --help            this help

'keepalived-ts lvs' alone shows the table of the running daemon: 'keepalived-ts lvs --help'.`;

interface PlanArgs {
  file: string;
  backend?: PlanBackend;
  hex: boolean;
}

export function parsePlanArgs(argv: string[]): PlanArgs | { usage: string } | { help: true } {
  let file: string | undefined;
  let backend: PlanBackend | undefined;
  let hex = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [name, inline] = a.startsWith('--') ? (a.split(/=(.*)/s, 2) as [string, string | undefined]) : [a, undefined];
    const value = (): string | undefined => inline ?? (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-') ? argv[++i] : undefined);
    switch (name) {
      case '-h':
      case '--help':
        return { help: true };
      case '-f':
      case '--use-file': {
        const v = value();
        if (v === undefined) return { usage: `${name} needs a file name` };
        file = v;
        break;
      }
      case '--backend': {
        const v = value();
        if (v !== 'ipvs' && v !== 'nftables') return { usage: v === undefined ? '--backend needs ipvs or nftables' : `--backend ${v}: use ipvs or nftables` };
        backend = v;
        break;
      }
      case '--hex':
        if (inline !== undefined) return { usage: '--hex takes no value' };
        hex = true;
        break;
      default:
        return { usage: a.startsWith('-') ? `unknown option ${a}` : `unexpected argument '${a}'` };
    }
  }
  return { file: file ?? '/etc/keepalived/keepalived.conf', hex, ...(backend ? { backend } : {}) };
}

async function plan(argv: string[]): Promise<number> {
  const args = parsePlanArgs(argv);
  if ('help' in args) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ('usage' in args) {
    process.stderr.write(`keepalived-ts lvs plan: ${args.usage}\n${SYNOPSIS}\n`);
    return EXIT_USAGE;
  }
  const r = compileConfig(args.file, readConfigText, { listDir: listConfigDir });
  const fatal = r.diagnostics.filter((d) => d.kind === 'fatal');
  if (fatal.length > 0 || readConfigText(args.file) === undefined) {
    if (fatal.length === 0) process.stderr.write(`keepalived-ts lvs plan: cannot read ${args.file}\n`);
    for (const d of fatal) process.stderr.write(`${formatDiagnostic(d)}\n`);
    return 1;
  }
  const configured = r.model.globalDefs.lvsBackend;
  const backend = args.backend ?? (configured === 'nftables' ? 'nftables' : 'ipvs');
  if (args.hex && backend !== 'ipvs') {
    process.stderr.write(`keepalived-ts lvs plan: --hex is for --backend ipvs (nftables batches are JSON)\n${SYNOPSIS}\n`);
    return EXIT_USAGE;
  }
  if (r.model.virtualServers.length === 0) {
    process.stderr.write(`keepalived-ts lvs plan: ${args.file} has no virtual_server: nothing to program\n`);
    return 0;
  }
  const p = await planLvs(r.model, backend);
  for (const l of p.logs) if (/^(error|warning) /.test(l)) process.stderr.write(`${l.replace(/^(\w+) /, '$1: ')}\n`);
  for (const e of p.errors) process.stderr.write(`error: ${e}\n`);
  if (backend === 'ipvs') for (const m of p.messages) process.stdout.write(`${args.hex ? toHex(m) : describeIpvsRequest(m)}\n`);
  else for (const b of p.batches) process.stdout.write(`${JSON.stringify(b)}\n`);
  // A refused virtual server (or a backend error) means the plan is not the whole config: exit 1.
  return p.errors.length > 0 || p.logs.some((l) => l.startsWith('error ')) ? 1 : 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'plan') return plan(rest);
  if (sub === '-h' || sub === '--help') {
    process.stdout.write(`${LVS_TABLE_USAGE}\nkeepalived-ts lvs plan -f FILE [--backend ipvs|nftables] [--hex]: what the daemon would program at start ('keepalived-ts lvs plan --help')\n`);
    return 0;
  }
  // No sub-command (or only options): the running daemon's table.
  if (sub === undefined || sub.startsWith('-')) return runLvsTable(argv);
  process.stderr.write(`keepalived-ts lvs: unknown sub-command '${sub}' (the only one is plan; without one, lvs shows the running daemon's table)\n${SYNOPSIS}\n`);
  return EXIT_USAGE;
}
