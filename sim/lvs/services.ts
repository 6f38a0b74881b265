/**
 * The services a simulated real server runs, and how each behaves right now.
 *
 * A host in a scenario may list services (`services: { 80: http, 53/udp: dns }`): a bare TCP
 * listener, HTTP and HTTPS (HTTP over an abstract TLS: one more round trip, no certificates),
 * SMTP, DNS and UDP (echo or a fixed reply). Every powered host also answers ICMP echo unless
 * told not to. What a service does is its configured behaviour overlaid by `server` faults:
 *
 *   up           answer normally (and forget every override: slow, status, body); for the echo
 *                responder of a host with `icmp: false`, "normally" is not at all
 *   refuse       TCP: RST to every SYN; UDP: ICMP port unreachable
 *   drop         nothing comes back at all (a firewall DROP): the probe times out
 *   slow DUR     the first answer (HTTP response, SMTP greeting, DNS/UDP reply, echo reply)
 *                leaves DUR after the request arrived; TCP handshakes are the kernel's, not slowed
 *   status N     HTTP status code, SMTP greeting code, DNS RCODE
 *   body TEXT    HTTP response body, UDP reply payload
 *
 * Each aspect is a separate setting (mode, slow, status, body), so `slow 3s` and `status 500`
 * compose; a fault with `for` is a layer removed at its end (sim/world-faults.ts).
 */

export type ServiceKind = 'tcp' | 'http' | 'https' | 'smtp' | 'dns' | 'udp';

export const SERVICE_KINDS: readonly ServiceKind[] = ['tcp', 'http', 'https', 'smtp', 'dns', 'udp'];

/** 'tcp:80', 'udp:53', or 'icmp' for the host's echo responder. */
export type ServiceKey = string;

export interface ServiceSpec {
  kind: ServiceKind;
  proto: 'tcp' | 'udp';
  port: number;
  /** HTTP status (200), SMTP greeting code (220), DNS RCODE (0). */
  status?: number;
  /** HTTP body (''); UDP reply (undefined: echo the request). */
  body?: string;
  slowMs?: number;
}

export type ServiceMode = 'up' | 'refuse' | 'drop';

/** What the service does right now. */
export interface ServiceBehaviour {
  mode: ServiceMode;
  slowMs: number;
  status: number;
  body: string | undefined;
}

export type ServerAction =
  | { do: 'up' }
  | { do: 'refuse' }
  | { do: 'drop' }
  | { do: 'slow'; ms: number }
  | { do: 'status'; code: number }
  | { do: 'body'; text: string };

const DEFAULT_STATUS: Record<ServiceKind, number> = { tcp: 0, http: 200, https: 200, smtp: 220, dns: 0, udp: 0 };

/** The SMTP reply to HELO (not configurable: a greeting fault is what operators meet). */
export const SMTP_HELO_CODE = 250;

export function serviceKey(proto: 'tcp' | 'udp', port: number): ServiceKey {
  return `${proto}:${port}`;
}

export function protoOf(kind: ServiceKind): 'tcp' | 'udp' {
  return kind === 'dns' || kind === 'udp' ? 'udp' : 'tcp';
}

/** Which actions make sense for a service kind (a message saying why not, or undefined). */
export function actionProblem(kind: ServiceKind | 'icmp', a: ServerAction): string | undefined {
  switch (a.do) {
    case 'up':
    case 'drop':
      return undefined;
    case 'refuse':
      return kind === 'icmp' ? 'an ICMP echo responder can be up, drop or slow, not refuse' : undefined;
    case 'slow':
      return kind === 'tcp' ? 'a bare TCP listener sends nothing to slow down (the handshake is the kernel\'s)' : undefined;
    case 'status':
      return kind === 'http' || kind === 'https' || kind === 'smtp' || kind === 'dns' ? undefined : `a ${kind === 'icmp' ? 'ICMP echo responder' : `${kind} service`} has no status (status is for http, https, smtp and dns)`;
    case 'body':
      return kind === 'http' || kind === 'https' || kind === 'udp' ? undefined : `a ${kind === 'icmp' ? 'ICMP echo responder' : `${kind} service`} has no body (body is for http, https and udp)`;
  }
}

export function describeAction(a: ServerAction): string {
  switch (a.do) {
    case 'slow':
      return `slow ${a.ms >= 1000 ? `${+(a.ms / 1000).toFixed(3)}s` : `${+a.ms.toFixed(3)}ms`}`;
    case 'status':
      return `status ${a.code}`;
    case 'body':
      return `body ${JSON.stringify(a.text)}`;
    default:
      return a.do;
  }
}

/** One service (or the echo responder) on a host: its spec and its current behaviour. */
export class ServiceState {
  mode: ServiceMode = 'up';
  slowMs: number;
  status: number;
  body: string | undefined;

  constructor(
    readonly key: ServiceKey,
    readonly kind: ServiceKind | 'icmp',
    readonly spec: ServiceSpec | undefined,
    /** What `up` means for the mode: 'drop' for an echo responder turned off in the scenario. */
    readonly baseMode: ServiceMode = 'up',
  ) {
    this.mode = baseMode;
    this.slowMs = spec?.slowMs ?? 0;
    this.status = spec?.status ?? (kind === 'icmp' ? 0 : DEFAULT_STATUS[kind]);
    this.body = spec?.body ?? (kind === 'http' || kind === 'https' ? '' : undefined);
  }

  /** The configured value of a setting (what `up` returns to). */
  baseline(field: 'mode' | 'slowMs' | 'status' | 'body'): unknown {
    switch (field) {
      case 'mode':
        return this.baseMode;
      case 'slowMs':
        return this.spec?.slowMs ?? 0;
      case 'status':
        return this.spec?.status ?? (this.kind === 'icmp' ? 0 : DEFAULT_STATUS[this.kind]);
      case 'body':
        return this.spec?.body ?? (this.kind === 'http' || this.kind === 'https' ? '' : undefined);
    }
  }

  behaviour(): ServiceBehaviour {
    return { mode: this.mode, slowMs: this.slowMs, status: this.status, body: this.body };
  }
}

/** The settings (field, value) an action writes; `up` restores every one to the baseline. */
export function actionSettings(s: ServiceState, a: ServerAction): Array<['mode' | 'slowMs' | 'status' | 'body', unknown]> {
  switch (a.do) {
    case 'up':
      return [
        ['mode', s.baseline('mode')],
        ['slowMs', s.baseline('slowMs')],
        ['status', s.baseline('status')],
        ['body', s.baseline('body')],
      ];
    case 'refuse':
    case 'drop':
      return [['mode', a.do]];
    case 'slow':
      return [['slowMs', a.ms]];
    case 'status':
      return [['status', a.code]];
    case 'body':
      return [['body', a.text]];
  }
}

/** A host's services, its ICMP echo responder and the addresses it holds on loopback (LVS-DR). */
export class HostServices {
  readonly byKey = new Map<ServiceKey, ServiceState>();
  /** VIPs on `lo` (LVS-DR, TUN): packets to them are accepted, ARP for them is not answered. */
  readonly loopback = new Set<string>();
  readonly icmp: ServiceState;

  constructor(specs: readonly ServiceSpec[] = [], icmpEcho = true, loopback: readonly string[] = []) {
    for (const s of specs) this.byKey.set(serviceKey(s.proto, s.port), new ServiceState(serviceKey(s.proto, s.port), s.kind, s));
    this.icmp = new ServiceState('icmp', 'icmp', undefined, icmpEcho ? 'up' : 'drop');
    for (const a of loopback) this.loopback.add(a);
  }

  get(proto: 'tcp' | 'udp', port: number): ServiceState | undefined {
    return this.byKey.get(serviceKey(proto, port));
  }

  /** The state a fault names: 'tcp:80', 'udp:53' or 'icmp'. */
  target(key: ServiceKey): ServiceState | undefined {
    return key === 'icmp' ? this.icmp : this.byKey.get(key);
  }

  /** Every service and the echo responder, for a host-wide fault. */
  all(): ServiceState[] {
    return [...this.byKey.values(), this.icmp];
  }

  get empty(): boolean {
    return this.byKey.size === 0;
  }
}
