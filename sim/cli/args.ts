/**
 * `keepalived-ts sim` arguments:
 *
 *   sim [SCENARIO] [--seed N | --seeds A..B [--jobs N]] [--until T] [--trace F] [--pcap F] [--svg F]
 *       [--config [NAME=]a.conf --config b.conf [--fault '10s crash a'] …] [--verbose] [--quiet]
 *       [--no-color] [--shrink-budget N] [--no-shrink] [--web [ADDR:]PORT] [--inspect [TARGET]]
 *   sim --replay FILE [--replay FILE2 …] --web [ADDR:]PORT
 */
import { parseDurationMs } from '../time.js';

export interface SimArgs {
  scenario?: string;
  seed?: number;
  seeds?: { from: number; to: number };
  /** `--jobs N`: worker threads for a `--seeds` sweep (undefined: one per core; 1: serial). */
  jobs?: number;
  untilMs?: number;
  trace?: string;
  pcap?: string;
  svg?: string;
  configs: string[];
  faults: string[];
  verbose: boolean;
  quiet: boolean;
  colour?: boolean;
  shrinkBudget: number;
  help: boolean;
  /** `--web [ADDR:]PORT`, checked by the command. */
  web?: string;
  /** `--inspect` (true) or `--inspect TARGET`, checked by the command. */
  inspect?: string | true;
  /** `--replay FILE` (repeatable): trace files to show with --web instead of a run. */
  replay: string[];
}

export const USAGE = `usage: keepalived-ts sim [SCENARIO.yaml] [options]
       keepalived-ts sim --config lb1.conf --config lb2.conf [--fault '10s crash lb1'] [options]
       keepalived-ts sim --replay JOURNAL.jsonl [--replay …] --web [ADDR:]PORT

Replays a failover scenario in the deterministic simulator. Without a scenario or --config it
runs the bundled default scenario.

options:
  --seed N            run with this seed (default: the scenario's seed, else 1)
  --seeds A..B        run every seed from A to B and report the failing ones
  --jobs N            worker threads for --seeds (default: one per core, one per 16 seeds
                      for shorter sweeps; 1 = in this process, one seed after another);
                      the output is the same either way
  --until T           stop at simulated time T (e.g. 90s, 24h)
  --trace FILE        write the JSON-lines trace
  --pcap FILE         write every frame as a pcap (open it with Wireshark or tshark)
  --svg FILE          write the state timeline as SVG
                      FILE "-" = stdout (one of the three); the timeline and summary then go
                      to stderr, so 'sim … --trace - | jq' reads pure JSON lines
  --config [NAME=]FILE
                      a host's keepalived.conf (repeat); the host is NAME, else the file name
                      without .conf, else its folder (n1/keepalived.conf → n1)
  --fault 'AT KIND ARGS [for DUR]'
                      a fault for --config runs, e.g. '10s crash lb1', '20s pause lb1 for 4s',
                      '30s partition lb1 client | lb2 for 10s', '5s loss 30 for 20s',
                      '5s link lb1/eth0 down' (a partition places every host, the client too)
  --verbose           also show notify runs and mail in the timeline
  --quiet             only the summary
  --no-color          never colour the timeline
  --shrink-budget N   re-runs allowed to shrink a failing fault list (default 60, 0 = off)
  --web [ADDR:]PORT   after the run, serve it in a browser: every statechart, each actor's state
                      highlighted, the last events, a time slider (127.0.0.1 unless ADDR is
                      given; port 0 picks a free one); runs until Ctrl-C
  --inspect [TARGET]  send every actor's events to Stately's inspector: TARGET [ADDR:]PORT hosts
                      the relay and its page there (default 127.0.0.1:8080), a ws:// URL sends
                      to a relay that is already running; runs until Ctrl-C
  --replay FILE       no run: serve a saved trace with --web, a daemon's journal (--trace FILE)
                      or a simulator's (sim … --trace FILE); repeat to merge one journal per node.
                      Malformed or over-long lines are counted and left out`;

function value(argv: string[], i: number, flag: string): string | { error: string } {
  const v = argv[i + 1];
  return v === undefined || (v.startsWith('--') && v.length > 2) ? { error: `${flag} needs a value` } : v;
}

export function parseSimArgs(argv: string[]): SimArgs | { error: string } {
  const a: SimArgs = { configs: [], faults: [], replay: [], verbose: false, quiet: false, shrinkBudget: 60, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const take = (): string | { error: string } => {
      if (inline !== undefined) return inline;
      const v = value(argv, i, flag);
      if (typeof v === 'string') i++;
      return v;
    };
    const need = (): string => {
      const v = take();
      if (typeof v !== 'string') throw new Error(v.error);
      return v;
    };
    try {
      switch (flag) {
        case '-h':
        case '--help':
          a.help = true;
          break;
        case '--seed': {
          const v = need();
          if (!/^\d+$/.test(v)) return { error: `--seed wants a non-negative integer, got ${v}` };
          a.seed = Number(v);
          break;
        }
        case '--seeds': {
          const v = need();
          const m = /^(\d+)\.\.(\d+)$/.exec(v);
          if (!m || Number(m[2]) < Number(m[1])) return { error: `--seeds wants A..B with A <= B, got ${v}` };
          a.seeds = { from: Number(m[1]), to: Number(m[2]) };
          break;
        }
        case '--jobs': {
          const v = need();
          if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256) return { error: `--jobs wants a number of worker threads from 1 to 256, got ${v}` };
          a.jobs = Number(v);
          break;
        }
        case '--until': {
          const d = parseDurationMs(need());
          if (typeof d !== 'number') return { error: `--until: ${d.error}` };
          a.untilMs = d;
          break;
        }
        case '--trace':
          a.trace = need();
          break;
        case '--pcap':
          a.pcap = need();
          break;
        case '--svg':
          a.svg = need();
          break;
        case '--config':
          a.configs.push(need());
          break;
        case '--fault':
          a.faults.push(need());
          break;
        case '--verbose':
          a.verbose = true;
          break;
        case '--quiet':
          a.quiet = true;
          break;
        case '--no-color':
        case '--no-colour':
          a.colour = false;
          break;
        case '--color':
          a.colour = true;
          break;
        case '--web':
          a.web = need();
          break;
        case '--replay':
          a.replay.push(need());
          break;
        case '--inspect': {
          // The target is optional: taken when attached (--inspect=8080) or when the next word
          // looks like one (a port, ADDR:PORT, a ws:// URL), never a scenario file.
          const next = argv[i + 1];
          if (inline !== undefined) a.inspect = inline;
          else if (next !== undefined && /^(\d+|[^/]*:\d+|wss?:\/\/.*)$/i.test(next)) {
            a.inspect = next;
            i++;
          } else a.inspect = true;
          break;
        }
        case '--no-shrink':
          a.shrinkBudget = 0;
          break;
        case '--shrink-budget': {
          const v = need();
          if (!/^\d+$/.test(v)) return { error: `--shrink-budget wants an integer, got ${v}` };
          a.shrinkBudget = Number(v);
          break;
        }
        default:
          if (arg.startsWith('-')) return { error: `unknown option ${arg}` };
          if (a.scenario !== undefined) return { error: `one scenario at a time (got ${a.scenario} and ${arg})` };
          a.scenario = arg;
      }
    } catch (e) {
      return { error: (e as Error).message };
    }
  }
  if (a.seed !== undefined && a.seeds) return { error: 'give --seed or --seeds, not both' };
  if (a.jobs !== undefined && !a.seeds) return { error: '--jobs goes with --seeds A..B (one run uses one thread)' };
  const toStdout = (['trace', 'pcap', 'svg'] as const).filter((k) => a[k] === '-');
  if (toStdout.length > 1) return { error: `only one output can go to stdout (-), got ${toStdout.map((k) => `--${k}`).join(' and ')}` };
  if (a.scenario !== undefined && a.configs.length > 0) return { error: 'give a scenario file or --config files, not both' };
  if (a.faults.length > 0 && a.configs.length === 0) return { error: '--fault goes with --config (a scenario file has its own timeline)' };
  if (a.seeds && (a.web !== undefined || a.inspect !== undefined)) return { error: `${a.web !== undefined ? '--web' : '--inspect'} shows one run: give --seed N, not --seeds` };
  return a.replay.length > 0 ? replayConflict(a) ?? a : a;
}

/** `--replay` serves files: it takes --web and nothing that belongs to a run. */
function replayConflict(a: SimArgs): { error: string } | undefined {
  if (a.web === undefined) return { error: '--replay shows the file in the web view: add --web [ADDR:]PORT (e.g. --web 8080)' };
  const run = [
    a.scenario !== undefined ? `a scenario (${a.scenario})` : '',
    a.configs.length > 0 ? '--config' : '',
    a.faults.length > 0 ? '--fault' : '',
    a.seed !== undefined ? '--seed' : '',
    a.seeds ? '--seeds' : '',
    a.untilMs !== undefined ? '--until' : '',
    a.trace !== undefined ? '--trace' : '',
    a.pcap !== undefined ? '--pcap' : '',
    a.svg !== undefined ? '--svg' : '',
    a.inspect !== undefined ? '--inspect' : '',
  ].filter(Boolean);
  return run.length > 0 ? { error: `--replay serves a saved trace and runs nothing: leave out ${run.join(', ')}` } : undefined;
}
