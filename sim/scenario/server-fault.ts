/**
 * The `server` fault, one grammar for scenario files and `--fault`:
 *
 *   server HOST[:PORT[/tcp|/udp] | :icmp] ACTION
 *
 *   ACTION   up | refuse | drop | slow DUR | status N | body TEXT
 *
 *   rs1:80 refuse          TCP port 80 of rs1 answers SYNs with RST
 *   rs1:53/udp status 2    the DNS service answers SERVFAIL
 *   rs1:443 slow 3s        the HTTPS answer leaves 3 s after the request came in
 *   rs1:80 body "gone"     a different page (HTTP_GET's digest no longer matches)
 *   rs1:icmp drop          no echo replies
 *   rs1 drop               every service of rs1 and its echo responder (each that can)
 *   rs1:80 up              back to normal (the scenario's configured behaviour)
 *
 * A bare port is TCP unless the host runs only a UDP service there. TEXT is a quoted string
 * ("…", JSON escapes) or the rest of the line. Errors name the word they are about, in quotes,
 * with its column, so `--fault` can put a caret under it.
 */
import { describeAction, actionProblem, serviceKey, type ServerAction, type ServiceKey, type ServiceSpec } from '../lvs/services.js';
import { nearestKeyword } from '../../config/suggest.js';
import { parseDurationMs } from '../time.js';

export interface ServerFaultHost {
  name: string;
  services?: readonly ServiceSpec[];
}

export type ParsedServerFault = { host: string; service?: ServiceKey; action: ServerAction } | { error: string; column: number };

const ACTIONS = ['up', 'refuse', 'drop', 'slow', 'status', 'body'];

function serviceLabel(key: ServiceKey): string {
  if (key === 'icmp') return 'icmp';
  const [proto, port] = key.split(':');
  return proto === 'udp' ? `${port}/udp` : `${port}`;
}

/** `rs1:80 refuse` as text again (describeFault, shrinking output). */
export function serverFaultText(host: string, service: ServiceKey | undefined, action: ServerAction): string {
  return `${host}${service ? `:${serviceLabel(service)}` : ''} ${describeAction(action)}`;
}

export function parseServerFault(text: string, hosts: readonly ServerFaultHost[]): ParsedServerFault {
  const m = /^\s*(\S+)(?:\s+(\S+))?/.exec(text);
  if (!m) return { error: 'write HOST[:PORT] ACTION, e.g. "rs1:80 refuse"', column: 0 };
  const targetText = m[1]!;
  const targetAt = text.indexOf(targetText);
  const [hostName, where] = targetText.split(/:(.*)/s) as [string, string | undefined];
  const host = hosts.find((h) => h.name === hostName);
  if (!host) return { error: `unknown host "${hostName}" (hosts: ${hosts.map((h) => h.name).join(', ')})`, column: targetAt };
  const specs = host.services ?? [];
  const ports = [...specs.map((s) => serviceLabel(serviceKey(s.proto, s.port))), 'icmp'].join(', ');
  let service: ServiceKey | undefined;
  let kind: ServiceSpec['kind'] | 'icmp' | undefined;
  if (where !== undefined) {
    const whereAt = targetAt + hostName.length + 1;
    if (where === 'icmp') {
      service = 'icmp';
      kind = 'icmp';
    } else {
      const p = /^(\d{1,5})(?:\/(tcp|udp))?$/.exec(where);
      if (!p || Number(p[1]) > 65535) return { error: `bad service "${where}" (write PORT, PORT/udp or icmp)`, column: whereAt };
      const port = Number(p[1]);
      const proto = (p[2] as 'tcp' | 'udp' | undefined) ?? (specs.some((s) => s.port === port && s.proto === 'tcp') ? 'tcp' : specs.some((s) => s.port === port) ? 'udp' : 'tcp');
      const spec = specs.find((s) => s.port === port && s.proto === proto);
      if (!spec) return { error: `${hostName} runs no service on "${where}" (${ports})`, column: whereAt };
      service = serviceKey(proto, port);
      kind = spec.kind;
    }
  }
  const verb = m[2];
  const verbAt = verb === undefined ? text.length : text.indexOf(verb, targetAt + targetText.length);
  if (verb === undefined || !ACTIONS.includes(verb)) {
    const near = verb === undefined ? undefined : nearestKeyword(verb, ACTIONS)?.keyword;
    return {
      error: verb === undefined ? `what should ${targetText} do? (${ACTIONS.join(', ')})` : `unknown action "${verb}"${near ? ` (did you mean ${near}?)` : ''}; actions: up, refuse, drop, slow DUR, status N, body TEXT`,
      column: verbAt,
    };
  }
  const rest = text.slice(verbAt + verb.length).trim();
  const restAt = rest ? text.indexOf(rest, verbAt + verb.length) : text.length;
  let action: ServerAction;
  switch (verb) {
    case 'up':
    case 'refuse':
    case 'drop':
      if (rest) return { error: `${verb} takes nothing after it, got "${rest}"`, column: restAt };
      action = { do: verb };
      break;
    case 'slow': {
      const d = rest ? parseDurationMs(rest) : { error: 'slow needs a duration, e.g. "slow 3s"' };
      if (typeof d !== 'number' || d < 0) return { error: typeof d === 'number' ? `a delay is not negative, got "${rest}"` : rest ? `bad duration "${rest}" (e.g. 3s, 250ms)` : d.error, column: restAt };
      action = { do: 'slow', ms: d };
      break;
    }
    case 'status': {
      if (!/^\d{1,3}$/.test(rest)) return { error: rest ? `a status is a number 0..999, got "${rest}"` : 'status needs a number, e.g. "status 500"', column: restAt };
      action = { do: 'status', code: Number(rest) };
      break;
    }
    default: {
      let body = rest;
      if (rest.startsWith('"')) {
        try {
          body = JSON.parse(rest) as string;
        } catch {
          return { error: `bad quoted text "${rest}" (a JSON string: "…", with \\n, \\" escapes)`, column: restAt };
        }
      }
      action = { do: 'body', text: body };
    }
  }
  if (kind !== undefined) {
    const problem = actionProblem(kind, action);
    if (problem) return { error: `"${verb}" does not apply: ${problem}`, column: verbAt };
  } else {
    const kinds = [...specs.map((s) => s.kind), 'icmp' as const];
    if (!kinds.some((k) => actionProblem(k, action) === undefined)) return { error: `"${verb}" applies to none of ${hostName}'s services (${ports})`, column: verbAt };
  }
  return { host: hostName, ...(service !== undefined ? { service } : {}), action };
}
