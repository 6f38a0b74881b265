/**
 * Script command lines (notify*, script, misc_path, quorum_up…): keepalived re-splits the raw
 * line with quote and escape handling, then splits the command word itself into argv.
 * `KEYWORD "cmd args" [user [group]]` or `KEYWORD cmd [user [group]]`.
 */
import type { Diags, Pos } from '../diag.js';
import { scriptWords } from '../lexer.js';
import type { NotifyScripts, ScriptCommand } from '../model.js';
import type { Stmt } from '../tree.js';
import { posOf } from '../values.js';

/**
 * Where a `user` / `script_user` keyword set a script's user (keyed by the ScriptCommand, or the
 * global_defs scriptUser record): config/script-users.ts reports a user that does not exist there.
 */
export const userKeywordAt = new WeakMap<object, Pos>();

/** Handler factory for notify* keywords of anything with a `notify` record (instances, sync groups). */
export function notifyKeyword<T extends { name: string; notify: NotifyScripts }>(key: keyof NotifyScripts, label: (t: T) => string) {
  return (t: T, st: Stmt, cx: { d: Diags }): void => {
    if (t.notify[key]) return cx.d.error(posOf(st), `${label(t)} ${st.words[0]!.text} script already specified - ignoring`, 'keep one line');
    const s = parseScript(st, cx.d);
    if (s) t.notify[key] = s;
  };
}

export function parseScript(st: Stmt, d: Diags, opts: { allowUser?: boolean } = {}): ScriptCommand | undefined {
  const line = scriptWords(st.raw);
  if ('error' in line) {
    d.error(posOf(st, 1), line.error, 'close the quote or remove the trailing backslash');
    return undefined;
  }
  const [, command, ...rest] = line.words;
  if (command === undefined || command.trim() === '') {
    d.error(posOf(st), `no ${st.words[0]!.text} script specified`, `write: ${st.words[0]!.text} "/path/to/script args"`, 'abort');
    return undefined;
  }
  const argv = scriptWords(command);
  if ('error' in argv || argv.words.length === 0) {
    d.error(posOf(st, 1), `cannot split script command '${command}'`, 'check the quoting');
    return undefined;
  }
  const s: ScriptCommand = { argv: argv.words, source: { file: st.file, line: st.line } };
  if (rest.length && opts.allowUser === false) {
    d.lint('warning', posOf(st, 2), `${st.words[0]!.text}: words after the quoted command are ignored ('${rest.join(' ')}')`, 'put the whole command line in the quotes');
  } else if (rest.length) {
    const [user, group] = rest[0]!.includes(':') ? rest[0]!.split(':', 2) : [rest[0]!, rest[1]];
    if (user) s.user = user;
    if (group) s.group = group;
    if (rest.length > (rest[0]!.includes(':') ? 1 : 2)) {
      d.lint('warning', posOf(st, 2), `${st.words[0]!.text}: words after the script are read as user and group ('${rest.join(' ')}')`, 'quote the whole command: "cmd arg1 arg2"');
    }
  }
  return s;
}
