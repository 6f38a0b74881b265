/**
 * Judging expectations: point checks run on the world clock at their instant, window checks
 * read the recorded history once the window has passed. Each result becomes an 'expect' event.
 */
import type { SimEvent } from '../events.js';
import { formatMs } from '../time.js';
import type { World } from '../world.js';
import type { Expectation } from './types.js';

export interface ExpectResult {
  ok: boolean;
  text: string;
  detail: string;
}

export function describeExpectation(x: Expectation): string {
  const when = 'atMs' in x ? `at ${formatMs(x.atMs)}` : `${formatMs(x.fromMs)}..${formatMs(x.toMs)}`;
  switch (x.kind) {
    case 'state':
      return `${when}: ${x.host}/${x.instance} is ${x.state}`;
    case 'masters':
      return `${when}: ${x.count} master${x.count === 1 ? '' : 's'}${x.vrid !== undefined ? ` for VRID ${x.vrid}` : ''}${x.segment ? ` on ${x.segment}` : ''}`;
    case 'vip':
      return `${when}: ${x.vip} ${x.present ? 'is' : 'is not'} on ${x.host}`;
    case 'arp':
      return `${when}: ${x.observer} sends traffic for ${x.vip} to ${x.host}`;
    case 'garp':
      return `${when}: ${x.none ? 'no ' : ''}GARP/NA for ${x.vip}${x.host ? ` from ${x.host}` : ''}`;
    case 'transitions':
      return `${when}: ${x.min > 0 ? `${x.min}..` : '≤ '}${x.max} state transitions${x.host ? ` on ${x.host}` : ''}${x.instance ? ` of ${x.instance}` : ''}`;
    case 'mail':
      return `${when}: mail${x.host ? ` from ${x.host}` : ''}${x.subject ? ` about "${x.subject}"` : ''}`;
    case 'log':
      return `${when}: ${x.none ? 'no ' : ''}log line with "${x.text}"${x.host ? ` on ${x.host}` : ''}`;
    case 'connections':
      return `${when}: ${x.min > 0 ? `${x.min}..` : '≤ '}${x.max} connections${x.client ? ` from ${x.client}` : ''}${x.ok === true ? ' served' : x.ok === false ? ' failed' : ''}${x.server ? ` by ${x.server}` : ''}`;
    case 'pool':
      return `${when}: ${x.host} sends ${x.service} to ${x.servers.join(', ') || 'nobody'}`;
    case 'quorum-changes':
      return `${when}: ${x.min > 0 ? `${x.min}..` : '≤ '}${x.max} quorum changes${x.host ? ` on ${x.host}` : ''}${x.vs ? ` of ${x.vs}` : ''}`;
    case 'server-changes':
      return `${when}: ${x.min > 0 ? `${x.min}..` : '≤ '}${x.max} real-server changes${x.host ? ` on ${x.host}` : ''}${x.rs ? ` of ${x.rs}` : ''}${x.vs ? ` in ${x.vs}` : ''}`;
  }
}

function judgeNow(w: World, x: Expectation): string | undefined {
  switch (x.kind) {
    case 'state': {
      const host = w.hosts.get(x.host)!;
      const t = host.tracks.get(x.instance);
      if (!t) return `${x.host} has no instance ${x.instance}`;
      const actual = host.proc ? t.state : `${t.state} (daemon not running)`;
      return t.state === x.state && host.proc ? undefined : `it is ${actual}`;
    }
    case 'masters': {
      const masters: string[] = [];
      for (const h of w.allHosts()) {
        if (!h.proc) continue;
        for (const t of h.tracks.values())
          if (t.state === 'MASTER' && (x.vrid === undefined || t.facts.vrid === x.vrid) && (!x.segment || t.nic?.segment?.name === x.segment)) masters.push(t.id);
      }
      return masters.length === x.count ? undefined : `masters: ${masters.join(', ') || 'none'}`;
    }
    case 'vip': {
      const has = w.hosts.get(x.host)!.nics.some((n) => n.addresses.some((a) => a.dynamic && a.address === x.vip));
      return has === x.present ? undefined : has ? 'it is there' : 'it is not there';
    }
    case 'pool': {
      const ks = w.hosts.get(x.host)!.lb.services.get(x.service);
      if (!ks) return `${x.host} has no service ${x.service}`;
      const got = ks.dests.filter((d) => d.weight > 0).map((d) => d.address).sort();
      return got.join() === x.servers.join() ? undefined : `it sends to ${got.join(', ') || 'nobody'}`;
    }
    case 'arp': {
      const mac = w.hosts.get(x.observer)!.neighbours.get(x.vip);
      if (mac === undefined) return `${x.observer} has no entry for ${x.vip}`;
      const owner = w.macOwner(mac) ?? 'unknown';
      return owner.split('/')[0] === x.host ? undefined : `it points to ${mac} (${owner})`;
    }
    default:
      return undefined;
  }
}

function judgeWindow(history: readonly SimEvent[], x: Expectation): string | undefined {
  if (!('fromMs' in x)) return undefined;
  const inWindow = (e: SimEvent) => e.t >= x.fromMs * 1000 && e.t <= x.toMs * 1000;
  switch (x.kind) {
    case 'garp': {
      const seen = history.filter((e) => e.type === 'garp' && inWindow(e) && e.address === x.vip && (!x.host || e.host === x.host));
      if (x.none) return seen.length === 0 ? undefined : `${seen.length} seen, first at ${formatMs(seen[0]!.t / 1000)}`;
      return seen.length > 0 ? undefined : 'none seen';
    }
    case 'transitions': {
      const n = history.filter((e) => e.type === 'state' && inWindow(e) && (!x.host || e.host === x.host) && (!x.instance || e.instance === x.instance)).length;
      return n >= x.min && n <= x.max ? undefined : `${n} seen`;
    }
    case 'mail': {
      const seen = history.filter((e) => e.type === 'mail' && inWindow(e) && (!x.host || e.host === x.host) && (!x.subject || e.subject.includes(x.subject)));
      return seen.length > 0 ? undefined : 'none sent';
    }
    case 'quorum-changes': {
      const n = history.filter((e) => e.type === 'lvs-quorum' && inWindow(e) && (!x.host || e.host === x.host) && (!x.vs || e.vs === x.vs)).length;
      return n >= x.min && n <= x.max ? undefined : `${n} seen`;
    }
    case 'server-changes': {
      const n = history.filter((e) => e.type === 'lvs-rs' && inWindow(e) && (!x.host || e.host === x.host) && (!x.vs || e.vs === x.vs) && (!x.rs || e.rs === x.rs)).length;
      return n >= x.min && n <= x.max ? undefined : `${n} seen`;
    }
    case 'connections': {
      let n = 0;
      for (const e of history) {
        if (e.type !== 'conn' || !inWindow(e) || (x.client && e.host !== x.client) || (x.server && e.server !== x.server)) continue;
        if (x.ok !== undefined && (e.result === 'ok') !== x.ok) continue;
        n++;
      }
      return n >= x.min && n <= x.max ? undefined : `${n} seen`;
    }
    default:
      return undefined;
  }
}

/** Log expectations watch the runtimes' log lines as they are written (they are not kept otherwise). */
function watchLog(w: World, x: Extract<Expectation, { kind: 'log' }>): () => string | undefined {
  const seen: number[] = [];
  w.logTaps.push((host, message) => {
    const t = w.clock.nowMicros();
    if (t >= x.fromMs * 1000 && t <= x.toMs * 1000 && (!x.host || host === x.host) && message.includes(x.text)) seen.push(t);
  });
  return () => {
    if (x.none) return seen.length === 0 ? undefined : `${seen.length} seen, first at ${formatMs(seen[0]! / 1000)}`;
    return seen.length > 0 ? undefined : 'none seen';
  };
}

/** Arm every expectation on the world; results arrive as 'expect' events and in `results`. */
export function armExpectations(w: World, expectations: readonly Expectation[], results: ExpectResult[]): void {
  for (const x of expectations) {
    const text = describeExpectation(x);
    const atMs = 'atMs' in x ? x.atMs : x.toMs;
    const logJudge = x.kind === 'log' ? watchLog(w, x) : undefined;
    w.clock.at(atMs, () => {
      const problem = logJudge ? logJudge() : 'atMs' in x ? judgeNow(w, x) : judgeWindow(w.recorder.history, x);
      const r: ExpectResult = { ok: problem === undefined, text, detail: problem ?? '' };
      results.push(r);
      w.emit({ t: w.clock.nowMicros(), type: 'expect', ok: r.ok, text, detail: r.detail });
    });
  }
}
