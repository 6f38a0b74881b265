/** Helpers for re-emitting keepalived.conf text that our reader reads back to the same values. */
import { INCLUDE_KEYWORDS } from './reader.js';
import type { IpAddressConfig, RouteConfig, RuleConfig, ScriptCommand } from './model.js';

/**
 * A word as keepalived's alloc_strvec reads it back: double-quoted when it has blanks or specials,
 * and when, first on a line, it would be read as a directive (`~SEQ…`, `@id`, `$NAME=`, `include`).
 * (A word that needs quotes and ends with `\` cannot be written: `\"` does not close a quote.)
 */
export function word(s: string): string {
  return s !== '' && /^[^\s"{}#!~@$][^\s"{}#!]*$/.test(s) && !INCLUDE_KEYWORDS.has(s) ? s : `"${s}"`;
}

/** A word of a script line (split again with quotes and escapes): double-quoted and escaped when needed. */
function outerWord(w: string): string {
  return w !== '' && /^[^\s"'\\{}#!]+$/.test(w) ? w : `"${w.replace(/[\\"]/g, '\\$&')}"`;
}

/** `"argv0 'arg with space'" [user [group]]`, the inverse of keepalived's two-level script split. */
export function scriptText(s: ScriptCommand): string {
  const inner = s.argv.map((a) => (a !== '' && /^[^\s'"\\]+$/.test(a) ? a : `'${a.replace(/[\\']/g, '\\$&')}'`)).join(' ');
  const outer = `"${inner.replace(/[\\"]/g, '\\$&')}"`;
  const user = s.user === undefined ? '' : ` ${outerWord(s.user)}${s.group === undefined ? '' : ` ${outerWord(s.group)}`}`;
  return outer + user;
}

export function secondsText(ms: number): string {
  return String(Number((ms / 1000).toFixed(6)));
}

export function addressText(a: IpAddressConfig): string {
  const out = [`${a.address}/${a.prefixLength}`];
  if (a.brd !== undefined) out.push('brd', a.brd);
  if (a.dev !== undefined) out.push('dev', a.dev);
  if (a.scope !== undefined) out.push('scope', a.scope);
  if (a.label !== undefined) out.push('label', a.label);
  if (a.peer !== undefined) out.push('peer', a.peer);
  if (a.home) out.push('home');
  if (a.nodad) out.push('-nodad');
  if (a.mngtmpaddr) out.push('mngtmpaddr');
  if (a.noprefixroute) out.push('noprefixroute');
  if (a.autojoin) out.push('autojoin');
  if (a.noTrack) out.push('no_track');
  if (a.useVmac) out.push('use_vmac');
  if (a.trackGroup !== undefined) out.push('track_group', a.trackGroup);
  if (a.preferredLft !== undefined) out.push('preferred_lft', String(a.preferredLft));
  return out.map(word).join(' ');
}

export function routeText(r: RouteConfig): string {
  const out: string[] = [];
  if (r.type !== 'unicast') out.push(r.type);
  if (r.src !== undefined) out.push('src', r.src);
  out.push('to', r.to);
  if (r.via !== undefined) out.push('via', r.via);
  if (r.orVia !== undefined) out.push('or', r.orVia);
  if (r.dev !== undefined) out.push('dev', r.dev);
  if (r.table !== undefined) out.push('table', r.table);
  if (r.metric !== undefined) out.push('metric', String(r.metric));
  if (r.scope !== undefined) out.push('scope', r.scope);
  if (r.protocol !== undefined) out.push('proto', r.protocol);
  for (const o of r.options) out.push(o);
  if (r.noTrack) out.push('no_track');
  return out.map(word).join(' ');
}

export function ruleText(r: RuleConfig): string {
  const out: string[] = [];
  if (r.invert) out.push('not');
  if (r.from !== undefined) out.push('from', r.from);
  if (r.to !== undefined) out.push('to', r.to);
  if (r.from === undefined && r.to === undefined) out.push(r.family === 6 ? 'inet6' : 'inet');
  if (r.table !== undefined) out.push('table', r.table);
  if (r.priority !== undefined) out.push('preference', String(r.priority));
  if (r.iif !== undefined) out.push('iif', r.iif);
  if (r.oif !== undefined) out.push('oif', r.oif);
  if (r.fwmark !== undefined) out.push('fwmark', r.fwmark);
  if (r.action !== 'table' && r.action !== 'goto') out.push(r.action);
  for (const o of r.options) out.push(o);
  if (r.noTrack) out.push('no_track');
  return out.map(word).join(' ');
}

/** Indented block writer. */
export class Out {
  private lines: string[] = [];
  private depth = 0;
  line(text: string): void {
    // A line ending in `\` would lose the blank before a lone `\` word (keepalived joins them):
    // an empty comment after it keeps the text as it is, for keepalived and for us.
    this.lines.push('    '.repeat(this.depth) + text + (text.endsWith('\\') ? ' #' : ''));
  }
  open(header: string): void {
    this.line(`${header} {`);
    this.depth++;
  }
  close(): void {
    this.depth--;
    this.line('}');
  }
  block(header: string, body: string[]): void {
    this.open(header);
    for (const b of body) this.line(b);
    this.close();
  }
  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}
