/**
 * `ip route`-style lines (virtual_routes, static_routes) and `ip rule`-style lines
 * (virtual_rules, static_rules), with keepalived's warnings: deprecated `gw`/`or`, untrackable
 * routes without `dev`, rules without a preference.
 */
import type { Diags } from '../diag.js';
import { IpAddress, parseCidr } from '../../protocol/addr.js';

const cidrParts = (c: ReturnType<typeof parseCidr>) => c && { text: c.ip.text, prefixLength: c.prefixLength, family: c.ip.family };
import type { Family, RouteConfig, RuleConfig } from '../model.js';
import type { Stmt } from '../tree.js';
import { checkInt, posOf } from '../values.js';

const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw', 'local', 'broadcast', 'anycast', 'multicast', 'nat']);
/** Route options that take one value and are kept verbatim. */
const ROUTE_VALUE_OPTS = new Set([
  'mtu', 'advmss', 'rtt', 'rttvar', 'reordering', 'window', 'cwnd', 'ssthresh', 'realms', 'rto_min', 'initcwnd',
  'initrwnd', 'features', 'quickack', 'congctl', 'pref', 'fastopen_no_cookie', 'tos', 'dsfield', 'expires',
  'ttl-propagate', 'hoplimit', 'encap', 'nexthop', 'weight', 'onlink-weight', 'src_if',
]);
const ROUTE_FLAGS = new Set(['onlink', 'pervasive', 'inet', 'inet6', 'add', 'append', 'prepend']);

export function parseRouteLine(st: Stmt, d: Diags): RouteConfig | undefined {
  const w = st.words.map((t) => t.text);
  const r: Partial<RouteConfig> & { options: string[] } = { type: 'unicast', options: [], noTrack: false };
  let family: Family | undefined;
  const setFamily = (f: Family) => (family ??= f);
  for (let i = 0; i < w.length; i++) {
    const t = w[i]!;
    const v = w[i + 1];
    const need = (): string | undefined => {
      if (v === undefined) d.error(posOf(st, i), `route option '${t}' needs a value`, `write: ${t} VALUE`);
      else i++;
      return v;
    };
    if (i === 0 && ROUTE_TYPES.has(t)) r.type = t;
    else if (t === 'src') {
      const ip = IpAddress.parse(need() ?? '');
      if (ip) (r.src = ip.text), setFamily(ip.family);
      else if (v !== undefined) d.error(posOf(st, i), `invalid route source '${v}'`, 'use an IP address');
    } else if (t === 'via' || t === 'gw' || t === 'or') {
      if (t === 'gw') d.warn(posOf(st, i), '"gw" for routes is deprecated. Please use "via"', "replace 'gw' with 'via'");
      if (t === 'or') d.warn(posOf(st, i), '"or" for routes is deprecated. Please use "nexthop"', "use 'nexthop via …' entries");
      const ip = IpAddress.parse(need() ?? '');
      if (!ip) {
        if (v !== undefined) d.error(posOf(st, i), `invalid gateway '${v}'`, 'use an IP address');
      } else if (t === 'or') r.orVia = ip.text;
      else (r.via = ip.text), setFamily(ip.family);
    } else if (t === 'dev' || t === 'oif') r.dev = need();
    else if (t === 'table') r.table = need();
    else if (t === 'metric' || t === 'priority' || t === 'preference') {
      const n = need();
      if (n !== undefined) r.metric = checkInt(n, posOf(st, i), d, 0, 0xffffffff, t);
    } else if (t === 'scope') r.scope = need();
    else if (t === 'proto' || t === 'protocol') r.protocol = need();
    else if (t === 'no_track') r.noTrack = true;
    else if (ROUTE_FLAGS.has(t)) r.options.push(t);
    else if (ROUTE_VALUE_OPTS.has(t)) {
      const n = need();
      if (n !== undefined) r.options.push(t, n);
    } else if (r.to === undefined && (t === 'to' || !t.match(/^[a-z_-]+$/) || t === 'default')) {
      const dest = t === 'to' ? need() : t;
      if (dest === undefined) continue;
      if (dest === 'default') {
        r.to = 'default';
        continue;
      }
      const c = parseCidr(dest);
      if (!c) {
        d.error(posOf(st, i), `invalid route destination '${dest}' - skipping route`, 'use ADDRESS/PREFIX or default');
        return undefined;
      }
      r.to = `${c.ip.text}/${c.prefixLength}`;
      setFamily(c.ip.family);
    } else {
      d.error(posOf(st, i), `unknown route option '${t}' - ignoring`, 'see ip-route(8) option names (no abbreviations)');
    }
  }
  if (r.to === undefined) {
    d.error(posOf(st), 'route has no destination - skipping it', 'write: DESTINATION/PREFIX [via GW] [dev IF]');
    return undefined;
  }
  const fam: Family = family ?? 4;
  if (r.to === 'default') r.to = fam === 4 ? '0.0.0.0/0' : '::/0';
  if (!r.dev && !r.noTrack) {
    d.warn(posOf(st), `cannot track route ${r.to} with no interface specified, not tracking`, 'add dev IFNAME, or no_track');
    r.noTrack = true;
  }
  return { ...r, family: fam, source: { file: st.file, line: st.line } } as RouteConfig;
}

const RULE_ACTIONS = new Set(['goto', 'nop', 'blackhole', 'unreachable', 'prohibit']);

/** keepalived auto-assigns preferences counting down from 16384 when none is given. */
export interface RuleContext {
  nextAutoPreference: number;
}

export function parseRuleLine(st: Stmt, d: Diags, rc: RuleContext): RuleConfig | undefined {
  const w = st.words.map((t) => t.text);
  const r: Partial<RuleConfig> & { options: string[] } = { action: 'table', invert: false, noTrack: false, options: [] };
  let family: Family | undefined;
  for (let i = 0; i < w.length; i++) {
    const t = w[i]!;
    const v = w[i + 1];
    if (t === 'not') r.invert = true;
    else if (t === 'no_track') r.noTrack = true;
    else if (t === 'inet' || t === 'inet6') family = t === 'inet' ? 4 : 6;
    else if (RULE_ACTIONS.has(t) && t !== 'goto') r.action = t;
    else if (v === undefined) {
      d.error(posOf(st, i), `rule option '${t}' needs a value`, `write: ${t} VALUE`);
    } else {
      i++;
      if (t === 'from' || t === 'to') {
        const c = v === 'all' ? { text: 'all', prefixLength: 0, family: family ?? 4 } : cidrParts(parseCidr(v));
        if (!c) {
          d.error(posOf(st, i), `invalid rule ${t} address ${v}`, 'use ADDRESS/PREFIX or all');
          return undefined;
        }
        r[t] = c.text === 'all' ? 'all' : `${c.text}/${c.prefixLength}`;
        family ??= c.family;
      } else if (t === 'table' || t === 'lookup') r.table = v;
      else if (t === 'priority' || t === 'preference' || t === 'pref' || t === 'order') r.priority = checkInt(v, posOf(st, i), d, 0, 0xffffffff, t);
      else if (t === 'iif' || t === 'dev') r.iif = v;
      else if (t === 'oif') r.oif = v;
      else if (t === 'fwmark') r.fwmark = v;
      else if (t === 'goto') (r.action = 'goto'), r.options.push('goto', v);
      else r.options.push(t, v);
    }
  }
  if (r.priority === undefined) {
    r.priority = rc.nextAutoPreference--;
    d.warn(posOf(st), `rule has no preference specified - setting to ${r.priority}. This is probably not what you want.`, 'add preference N');
  }
  return { ...r, family: family ?? 4, source: { file: st.file, line: st.line } } as RuleConfig;
}
