/**
 * Address lines (virtual_ipaddress, virtual_ipaddress_excluded, static_ipaddress):
 * `IP[/MASK] [brd IP|+|-] [dev IF] [scope S] [label L] [peer IP] [home] [-nodad] [mngtmpaddr]
 *  [noprefixroute] [autojoin] [no_track] [track_group G] [preferred_lft N|forever] [use_vmac]`.
 */
import type { Diags } from '../diag.js';
import { IpAddress, parseCidr } from '../../protocol/addr.js';
import type { IpAddressConfig } from '../model.js';
import type { Stmt } from '../tree.js';
import { checkInt, posOf } from '../values.js';

const SCOPES = new Set(['global', 'site', 'link', 'host', 'nowhere']);

const FLAGS: Record<string, keyof IpAddressConfig> = {
  home: 'home',
  '-nodad': 'nodad',
  nodad: 'nodad',
  mngtmpaddr: 'mngtmpaddr',
  noprefixroute: 'noprefixroute',
  autojoin: 'autojoin',
  no_track: 'noTrack',
  use_vmac: 'useVmac',
};

/** Parses one address line; reports problems and returns undefined when the address is unusable. */
export function parseAddressLine(st: Stmt, d: Diags): IpAddressConfig | undefined {
  const w = st.words;
  const first = w[0]!;
  const cidr = parseCidr(first.text);
  if (!cidr) {
    d.error(posOf(st, 0), `invalid IP address '${first.text}' - skipping it`, 'write an IPv4/IPv6 address, optionally /prefix');
    return undefined;
  }
  const a: IpAddressConfig = {
    address: cidr.ip.text,
    prefixLength: cidr.prefixLength,
    family: cidr.ip.family,
    home: false,
    nodad: false,
    mngtmpaddr: false,
    noprefixroute: false,
    autojoin: false,
    noTrack: false,
    useVmac: false,
    source: { file: st.file, line: st.line },
  };
  for (let i = 1; i < w.length; i++) {
    const opt = w[i]!.text;
    const flag = FLAGS[opt];
    if (flag) {
      (a as unknown as Record<string, boolean>)[flag] = true;
      continue;
    }
    const val = w[i + 1]?.text;
    const takesValue = ['dev', 'scope', 'brd', 'broadcast', 'label', 'peer', 'track_group', 'preferred_lft'].includes(opt);
    if (takesValue && val === undefined) {
      d.error(posOf(st, i), `'${opt}' needs a value in address '${first.text}'`, `write: ${opt} VALUE`);
      break;
    }
    if (takesValue) i++;
    switch (opt) {
      case 'dev':
        a.dev = val;
        break;
      case 'scope':
        if (SCOPES.has(val!) || /^\d+$/.test(val!)) a.scope = val;
        else d.error(posOf(st, i), `invalid scope '${val}' for address ${first.text}`, 'use global|site|link|host|nowhere');
        break;
      case 'brd':
      case 'broadcast':
        if (val === '+' || val === '-' || IpAddress.parse(val!)?.family === 4) a.brd = val;
        else d.error(posOf(st, i), `invalid broadcast address '${val}'`, "use an IPv4 address, '+' or '-'");
        break;
      case 'label':
        a.label = val;
        break;
      case 'peer': {
        const p = parseCidr(val!);
        if (p && p.ip.family === a.family) a.peer = val;
        else d.error(posOf(st, i), `invalid peer address '${val}'`, 'use an address of the same family');
        break;
      }
      case 'track_group':
        a.trackGroup = val;
        break;
      case 'preferred_lft':
        if (val === 'forever') a.preferredLft = 'forever';
        else {
          const n = checkInt(val!, posOf(st, i), d, 0, 0xffffffff, 'preferred_lft');
          if (n !== undefined) a.preferredLft = n;
        }
        break;
      default:
        d.error(posOf(st, i), `unknown option '${opt}' for ip address ${first.text} - ignoring`, 'see keepalived.conf(5) virtual_ipaddress');
    }
  }
  if (a.family === 6 && a.prefixLength === 128 && a.preferredLft === undefined) a.preferredLft = 0;
  return a;
}
