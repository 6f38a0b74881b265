/**
 * static_ipaddress / static_routes / static_rules: configured once, independent of any VRRP
 * state (keepalived.conf(5): "These addresses are NOT moved by vrrpd, they stay on the machine").
 * Like keepalived: added at start (addresses, then routes, then rules), removed on a graceful
 * stop (rules, routes, addresses), and on reload the entries no longer configured are removed and
 * the new ones added; entries present in both configurations are left alone. Port errors are
 * logged and counted (`static:net_errors`), never thrown.
 */
import type { KeepalivedConfig } from '../../config/model.js';

/** The part of the model static-io applies. */
export type StaticConfig = Pick<KeepalivedConfig, 'staticIpaddresses' | 'staticRoutes' | 'staticRules'>;
import type { AddressSpec, NetConfig, RouteSpec, RuleSpec } from '../ports.js';
import { alreadyGone, alreadyThere, type AddressIo } from './address-io.js';
import { addressSpec, routeSpec, ruleSpec } from './plan-instance.js';
import type { RuntimeSink } from '../sink.js';

/** Owner name used in log lines and counters. */
const OWNER = 'static';

interface StaticSet {
  addresses: Map<string, AddressSpec>;
  routes: Map<string, RouteSpec>;
  rules: Map<string, RuleSpec>;
}

const keyed = <T>(items: T[]) => new Map(items.map((i) => [JSON.stringify(i), i] as const));
const describeRule = (r: RuleSpec) => `rule${r.from ? ` from ${r.from}` : ''}${r.to ? ` to ${r.to}` : ''}${r.table !== undefined ? ` table ${r.table}` : ''}`;

export class StaticIo {
  private current: StaticSet = { addresses: new Map(), routes: new Map(), rules: new Map() };

  constructor(
    private readonly ops: AddressIo,
    private readonly net: NetConfig,
    private readonly sink: RuntimeSink,
  ) {}

  /** What the model asks for. Addresses need a `dev` (there is no VRRP interface to default to). */
  private wanted(model: StaticConfig): StaticSet {
    const addresses: AddressSpec[] = [];
    for (const a of model.staticIpaddresses) {
      if (!a.dev) this.sink.log('warning', `static_ipaddress ${a.address}/${a.prefixLength} has no dev - ignoring`);
      else addresses.push(addressSpec(a, a.dev));
    }
    return { addresses: keyed(addresses), routes: keyed(model.staticRoutes.map((r) => routeSpec(r, ''))), rules: keyed(model.staticRules.map(ruleSpec)) };
  }

  /** Start and reload: remove what is no longer configured, add what is new. */
  apply(model: StaticConfig): void {
    const next = this.wanted(model);
    const gone = (m: 'addresses' | 'routes' | 'rules') => [...this.current[m]].filter(([k]) => !next[m].has(k)).map(([, v]) => v);
    const added = (m: 'addresses' | 'routes' | 'rules') => [...next[m]].filter(([k]) => !this.current[m].has(k)).map(([, v]) => v);
    this.remove(gone('addresses') as AddressSpec[], gone('routes') as RouteSpec[], gone('rules') as RuleSpec[]);
    const n = this.net;
    for (const a of added('addresses') as AddressSpec[]) this.ops.op(OWNER, `add ${a.address}/${a.prefixLength} on ${a.ifname}`, (d) => n.addAddress(a, d), alreadyThere);
    for (const r of added('routes') as RouteSpec[]) this.ops.op(OWNER, `add route ${r.destination}`, (d) => n.addRoute(r, d), alreadyThere);
    for (const r of added('rules') as RuleSpec[]) this.ops.op(OWNER, `add ${describeRule(r)}`, (d) => n.addRule(r, d), alreadyThere);
    this.current = next;
  }

  /** Graceful stop: everything we configured goes. */
  removeAll(): void {
    const c = this.current;
    this.remove([...c.addresses.values()], [...c.routes.values()], [...c.rules.values()]);
    this.current = { addresses: new Map(), routes: new Map(), rules: new Map() };
  }

  private remove(addresses: AddressSpec[], routes: RouteSpec[], rules: RuleSpec[]): void {
    const n = this.net;
    for (const r of rules) this.ops.op(OWNER, `remove ${describeRule(r)}`, (d) => n.removeRule(r, d), alreadyGone);
    for (const r of routes) this.ops.op(OWNER, `remove route ${r.destination}`, (d) => n.removeRoute(r, d), alreadyGone);
    for (const a of addresses) this.ops.op(OWNER, `remove ${a.address}/${a.prefixLength} from ${a.ifname}`, (d) => n.removeAddress(a, d), alreadyGone);
  }
}
