/**
 * The human timeline: one line per thing an operator cares about (faults, daemon starts and
 * stops, state changes, VIPs, GARP bursts, where clients' ARP caches point, violations,
 * expectation results), optionally coloured. Bursts of identical GARPs collapse to one line; a
 * dropped advert is shown the first time a host drops one for a reason (the summary counts them).
 */
import { describeDropReason } from '../../protocol/vrrp/drop-text.js';
import type { SimEvent } from '../events.js';
import { formatMicros } from '../time.js';

const ANSI = {
  reset: '\x1b[0m',
  dim: '\x1b[2m',
  bold: '\x1b[1m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  blue: '\x1b[34m',
  magenta: '\x1b[35m',
  cyan: '\x1b[36m',
} as const;

type Colour = keyof typeof ANSI;

const STATE_COLOUR: Record<string, Colour> = { MASTER: 'green', BACKUP: 'blue', FAULT: 'red', INIT: 'dim', STOP: 'dim', DELETED: 'dim' };

/** `table tcp:198.51.100.28:80: + 198.51.100.21:80 weight 100`. */
export function describeTableChange(e: Extract<SimEvent, { type: 'lb' }>): string {
  switch (e.op) {
    case 'flush':
      return `table flushed (${e.reason})`;
    case 'add-service':
      return `table + service ${e.service} (${e.scheduler})`;
    case 'set-service':
      return `table ~ service ${e.service} (${e.scheduler})`;
    case 'del-service':
      return `table - service ${e.service}`;
    default:
      return `table ${e.service}: ${e.op === 'add-dest' ? '+' : e.op === 'del-dest' ? '-' : '~'} ${e.dest}${e.op === 'del-dest' ? '' : ` weight ${e.weight}`}`;
  }
}

export class TimelinePrinter {
  private pendingGarp: { key: string; e: Extract<SimEvent, { type: 'garp' }>; count: number } | undefined;

  constructor(
    private readonly out: (line: string) => void,
    private readonly colour: boolean,
    /** Also show notify runs and mail (trace-level detail). */
    private readonly verbose = false,
  ) {}

  private c(colour: Colour, text: string): string {
    return this.colour ? `${ANSI[colour]}${text}${ANSI.reset}` : text;
  }

  private line(t: number, who: string, text: string): void {
    this.out(`${this.c('dim', formatMicros(t).padStart(14))}  ${who.padEnd(14)} ${text}`);
  }

  write(e: SimEvent): void {
    if (e.type === 'garp') {
      const key = `${e.host}|${e.address}|${e.mac}`;
      if (this.pendingGarp?.key === key) {
        this.pendingGarp.count++;
        return;
      }
      this.flush();
      this.pendingGarp = { key, e, count: 1 };
      return;
    }
    const text = this.describe(e);
    if (text === undefined) return;
    this.flush();
    text();
  }

  /** Print a collapsed GARP burst still waiting for its end. */
  flush(): void {
    const p = this.pendingGarp;
    if (!p) return;
    this.pendingGarp = undefined;
    const what = p.e.kind === 'na' ? 'unsolicited NA' : 'GARP';
    this.line(p.e.t, p.e.host, this.c('magenta', `${what} ${p.e.address} is-at ${p.e.mac}${p.count > 1 ? ` ×${p.count}` : ''}`));
  }

  private describe(e: SimEvent): (() => void) | undefined {
    switch (e.type) {
      case 'fault':
        return () => this.line(e.t, '⚡ fault', this.c('yellow', e.text));
      case 'daemon':
        return () => this.line(e.t, e.host, this.c(e.what === 'exception' ? 'red' : 'cyan', `daemon ${e.what}${e.detail ? `: ${e.detail}` : ''}`));
      case 'state':
        return () =>
          this.line(
            e.t,
            `${e.host}/${e.instance}`,
            `${this.c(STATE_COLOUR[e.from] ?? 'dim', e.from)} → ${this.c(STATE_COLOUR[e.to] ?? 'dim', this.c('bold', e.to))}  ${this.c('dim', `prio ${e.priority}${e.reason ? `, ${e.reason}` : ''}`)}`,
          );
      case 'group':
        return () => this.line(e.t, `${e.host}/${e.group}`, `sync group → ${this.c(STATE_COLOUR[e.to] ?? 'dim', e.to)}`);
      case 'priority':
        return () => this.line(e.t, `${e.host}/${e.instance}`, `effective priority ${e.priority}`);
      case 'vip':
        return () => this.line(e.t, e.host, e.op === 'add' ? this.c('green', `+ VIP ${e.address} on ${e.nic}`) : this.c('dim', `- VIP ${e.address} from ${e.nic}`));
      case 'neighbour':
        return () => this.line(e.t, e.host, `${e.address.includes(':') ? 'neighbour' : 'ARP'} cache: ${e.address} → ${e.mac} (${e.owner})`);
      case 'violation':
        return () => this.line(e.t, this.c('red', `✗ ${e.id}`), this.c('red', e.message));
      case 'advert-drop':
        return e.n === 1
          ? () => this.line(e.t, e.instance ? `${e.host}/${e.instance}` : e.host, this.c('yellow', `drops adverts: ${e.reason} — ${describeDropReason(e.reason)}; the summary counts the rest`))
          : undefined;
      case 'expect':
        return () => this.line(e.t, e.ok ? this.c('green', '✓ expect') : this.c('red', '✗ expect'), `${e.text}${e.ok ? '' : this.c('red', `  — ${e.detail}`)}`);
      case 'lb':
        return () => this.line(e.t, e.host, this.c('cyan', describeTableChange(e)));
      case 'lvs-checker':
        return () => this.line(e.t, e.host, `${e.kind} ${e.rs} of VS ${e.vs} ${e.up ? this.c('green', 'UP') : this.c('red', 'DOWN')}${e.detail ? this.c('dim', ` (${e.detail})`) : ''}`);
      case 'lvs-rs':
        return () => this.line(e.t, e.host, `real server ${e.rs} of VS ${e.vs} ${e.alive ? this.c('green', 'alive') : this.c('red', 'down')}, weight ${e.weight}`);
      case 'lvs-quorum':
        return () => this.line(e.t, e.host, `VS ${e.vs} quorum ${e.up ? this.c('green', 'up') : this.c('red', 'down')} (Σ alive weights ${e.sum}, threshold ${e.threshold})`);
      case 'mail':
        return this.verbose ? () => this.line(e.t, e.host, `mail: ${e.subject}`) : undefined;
      case 'notify':
        return this.verbose ? () => this.line(e.t, e.host, `notify: ${e.argv.join(' ')}`) : undefined;
      default:
        return undefined;
    }
  }
}
