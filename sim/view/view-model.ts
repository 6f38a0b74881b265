/**
 * The web view's model: a trace (records in time order) → what every host, VRRP instance and
 * statechart actor looked like at time t, and the last events before t. Pure: the web server
 * (adapters/node/web) calls it for the time slider and the live stream.
 *
 * Actors come from `actor` records (actors/actor-feed.ts); a host's actors are gone once its
 * daemon is down (`daemon` record: stopped, crashed, killed, exception), since a process that
 * dies reports nothing more. VRRP states, priorities and sync groups come from `state`,
 * `priority` and `group` records.
 */
import type { TraceRecord } from './records.js';

export interface ActorView {
  host: string;
  actor: string;
  machine: string;
  /** Active leaf states (`backup.countdown`). */
  state: string[];
  /** Every active state path, ancestors included (`backup`, `backup.countdown`). */
  active: string[];
  /** When it entered this state, and on which event. */
  since: number;
  event: string;
}

export interface InstanceView {
  host: string;
  instance: string;
  state: string;
  priority: number;
  reason: string;
  since: number;
}

export interface GroupView {
  host: string;
  group: string;
  state: string;
  since: number;
}

export interface HostView {
  host: string;
  /** From `daemon` records: running, stopping, down; `unknown` before the first. */
  daemon: 'running' | 'stopping' | 'down' | 'unknown';
  since: number;
  detail: string;
}

export interface EventLine {
  t: number;
  host: string;
  type: string;
  text: string;
  /** Identical consecutive lines (a GARP burst) are folded into one with a count. */
  count: number;
}

export interface View {
  t: number;
  /** Time of the first and last record. */
  first: number;
  last: number;
  hosts: HostView[];
  instances: InstanceView[];
  groups: GroupView[];
  actors: ActorView[];
  /** The last events up to t, oldest first. */
  events: EventLine[];
}

export interface ViewOptions {
  /** How many event lines (default 40). */
  events?: number;
  /** Also list adverts, frame drops, script runs and other per-packet records. */
  all?: boolean;
}

/** Per-packet and bookkeeping kinds, left out of the event list unless `all`. */
const NOISY = new Set(['advert', 'drop', 'script', 'send-error', 'runtime']);
const DOWN = new Set(['stopped', 'crashed', 'killed', 'exception']);

/** `['backup.countdown']` → `['backup', 'backup.countdown']` (every active state, parents first). */
export function activeStates(leaves: readonly string[]): string[] {
  const out = new Set<string>();
  for (const leaf of leaves) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) out.add(parts.slice(0, i).join('.'));
  }
  return [...out];
}

/** Index of the first record later than t (records are in time order). */
export function upperBound(records: readonly TraceRecord[], t: number): number {
  let lo = 0;
  let hi = records.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (records[mid]!.t <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v));
const num = (v: unknown) => (typeof v === 'number' ? v : Number(v) || 0);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

/** One event as the event list shows it; `before` is the actor's state just before an `actor` record. */
export function describeRecord(r: TraceRecord, before?: readonly string[]): string {
  switch (r.type) {
    case 'actor': {
      const to = list(r.state);
      const from = before && before.length > 0 ? before.join(', ') : '';
      const where = to.length > 0 ? to.join(', ') : 'stopped';
      return `${str(r.actor)}: ${from ? `${from} → ` : ''}${where} (${str(r.event)})`;
    }
    case 'state':
      return `${str(r.instance)} ${str(r.from)} → ${str(r.to)} (priority ${num(r.priority)}${r.reason ? `, ${str(r.reason)}` : ''})`;
    case 'priority':
      return `${str(r.instance)} effective priority ${num(r.priority)}`;
    case 'group':
      return `sync group ${str(r.group)} → ${str(r.to)}`;
    case 'vip':
      return `${r.op === 'add' ? 'VIP added' : 'VIP removed'} ${str(r.address)}${r.nic ? ` on ${str(r.nic)}` : ''}`;
    case 'garp':
      return `${r.kind === 'na' ? 'unsolicited NA' : 'gratuitous ARP'} for ${str(r.address)}${r.nic ? ` on ${str(r.nic)}` : ''}`;
    case 'neighbour':
      return `ARP/ND cache: ${str(r.address)} → ${str(r.mac)} (${str(r.owner)})`;
    case 'fault':
      return `fault: ${str(r.text)}`;
    case 'daemon':
      return `daemon ${str(r.what)}${r.role ? ` (${str(r.role)})` : ''}${r.detail ? `: ${str(r.detail)}` : ''}`;
    case 'notify':
      return `notify ${list(r.argv).join(' ')}`;
    case 'mail':
      return `mail: ${str(r.subject)}`;
    case 'violation':
      return `✗ ${str(r.id)}: ${str(r.message)}`;
    case 'expect':
      return `${r.ok ? '✓' : '✗'} expect ${str(r.text)}${r.ok ? '' : ` — ${str(r.detail)}`}`;
    case 'advert-drop':
      return `advert dropped${r.instance ? ` by ${str(r.instance)}` : ''}: ${str(r.reason)}`;
    case 'log':
      return str(r.message);
    case 'advert':
      return `advert VRID ${num(r.vrid)} priority ${num(r.priority)} on ${str(r.nic)}`;
    case 'script':
      return `script ${list(r.argv).join(' ')} → ${r.timedOut ? 'timed out' : `exit ${str(r.exit)}`}`;
    default: {
      const { t: _t, type: _type, host: _host, ...rest } = r;
      return `${r.type} ${JSON.stringify(rest)}`;
    }
  }
}

export interface KnownActor {
  host: string;
  actor: string;
  machine: string;
}

/** Every actor the records ever name, in the order the view lists actors (to lay the page out once). */
export function knownActors(records: readonly TraceRecord[]): KnownActor[] {
  const hosts: string[] = [];
  const seen = new Map<string, KnownActor>();
  for (const r of records) {
    if (r.type !== 'actor' || r.host === undefined) continue;
    if (!hosts.includes(r.host)) hosts.push(r.host);
    const key = `${r.host}\u0000${str(r.actor)}`;
    if (!seen.has(key)) seen.set(key, { host: r.host, actor: str(r.actor), machine: str(r.machine) });
  }
  return [...seen.values()].sort((a, b) => rank(a.machine) - rank(b.machine) || a.actor.localeCompare(b.actor) || hosts.indexOf(a.host) - hosts.indexOf(b.host));
}

/** The order machines are listed in: VRRP first, the lifecycle last; machines not named here (LVS) before it. */
const ACTOR_RANK: Record<string, number> = { vrrpInstance: 0, syncGroup: 1, tracking: 2, tracker: 3, scriptProbe: 4, processProbe: 4, notifier: 5, daemon: 7 };
const rank = (machine: string) => ACTOR_RANK[machine] ?? 6;

export function viewAt(records: readonly TraceRecord[], t: number, opts: ViewOptions = {}): View {
  const want = opts.events ?? 40;
  const end = upperBound(records, t);
  const hostOrder: string[] = [];
  const hosts = new Map<string, HostView>();
  const host = (name: string): HostView => {
    let h = hosts.get(name);
    if (!h) {
      hosts.set(name, (h = { host: name, daemon: 'unknown', since: 0, detail: '' }));
      hostOrder.push(name);
    }
    return h;
  };
  const actors = new Map<string, ActorView & { role?: string }>();
  const instances = new Map<string, InstanceView>();
  const groups = new Map<string, GroupView>();
  // The event list: only the last `want` shown records need a line; keep them in a ring.
  const ring: Array<{ r: TraceRecord; before?: string[] }> = [];
  for (let i = 0; i < end; i++) {
    const r = records[i]!;
    // Hosts are the ones that run a daemon (an observer's ARP cache does not make it one).
    const h = r.host === undefined || (r.type !== 'daemon' && r.type !== 'actor') ? undefined : host(r.host);
    // A replay's stand-in actor records (sim/view/journal.ts) repeat a `state` line: not listed twice.
    const shown = r.standIn !== true && (opts.all === true || !NOISY.has(r.type));
    let before: string[] | undefined;
    switch (r.type) {
      case 'actor': {
        const key = `${r.host}\u0000${str(r.actor)}`;
        before = actors.get(key)?.state;
        const state = list(r.state);
        if (state.length === 0) actors.delete(key);
        else
          actors.set(key, {
            host: str(r.host),
            actor: str(r.actor),
            machine: str(r.machine),
            state,
            active: activeStates(state),
            since: r.t,
            event: str(r.event),
            ...(r.role ? { role: str(r.role) } : {}),
          });
        break;
      }
      case 'state':
        instances.set(`${r.host}\u0000${str(r.instance)}`, { host: str(r.host), instance: str(r.instance), state: str(r.to), priority: num(r.priority), reason: str(r.reason), since: r.t });
        break;
      case 'priority': {
        const x = instances.get(`${r.host}\u0000${str(r.instance)}`);
        if (x) x.priority = num(r.priority);
        break;
      }
      case 'group':
        groups.set(`${r.host}\u0000${str(r.group)}`, { host: str(r.host), group: str(r.group), state: str(r.to), since: r.t });
        break;
      case 'daemon': {
        if (!h) break;
        const what = str(r.what);
        const role = r.role === undefined ? undefined : str(r.role);
        if (what === 'start') h.daemon = 'running';
        else if (what === 'stopping') h.daemon = 'stopping';
        else if (DOWN.has(what)) {
          h.daemon = 'down';
          // The process is gone, and its actors with it (all of them, or those of that child).
          for (const [k, a] of actors) if (a.host === h.host && (role === undefined || a.role === role)) actors.delete(k);
        } else break;
        h.since = r.t;
        h.detail = str(r.detail);
        break;
      }
    }
    if (shown) {
      ring.push(before ? { r, before } : { r });
      // Keep some slack for folding bursts into one line.
      if (ring.length > want * 4) ring.splice(0, ring.length - want * 2);
    }
  }
  const events: EventLine[] = [];
  for (const { r, before } of ring) {
    const text = describeRecord(r, before);
    const prev = events[events.length - 1];
    if (prev && prev.text === text && prev.host === (r.host ?? '') && prev.type === r.type) {
      prev.count++;
      prev.t = r.t;
      continue;
    }
    events.push({ t: r.t, host: r.host ?? '', type: r.type, text, count: 1 });
  }
  const hostIndex = (name: string) => hostOrder.indexOf(name);
  const actorList = [...actors.values()]
    .map(({ role: _role, ...a }) => a)
    .sort((a, b) => rank(a.machine) - rank(b.machine) || a.actor.localeCompare(b.actor) || hostIndex(a.host) - hostIndex(b.host));
  return {
    t,
    first: records[0]?.t ?? 0,
    last: records[records.length - 1]?.t ?? 0,
    hosts: hostOrder.map((n) => hosts.get(n)!),
    instances: [...instances.values()].sort((a, b) => a.instance.localeCompare(b.instance) || hostIndex(a.host) - hostIndex(b.host)),
    groups: [...groups.values()],
    actors: actorList,
    events: events.slice(-want),
  };
}
