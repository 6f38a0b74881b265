/**
 * The command line's own words: the list of sub-commands for `keepalived-ts --help`, the short
 * usage line printed with a usage error, and "unknown command" with a suggestion. Pure text; the
 * sub-commands' option lists live with each command.
 */
import { nearestKeyword } from '../../config/suggest.js';
import { daemonOptionsText } from './daemon/flags.js';

export const PROGRAM = 'keepalived-ts';

/** Exit status of every usage error (unknown command, unknown option, missing option value). */
export const EXIT_USAGE = 2;

/** Sub-commands, one line each, in the order `--help` lists them. */
export const COMMAND_SUMMARIES: ReadonlyArray<readonly [name: string, summary: string]> = [
  ['check', 'compile and lint keepalived.conf (several files: also compared as one cluster); also -t'],
  ['sim', 'replay a failover scenario, or your own configs, in the deterministic simulator; --replay JOURNAL --web PORT: a saved trace in the browser'],
  ['pcap', 'decode a capture (pcap) and judge each VRRP packet against a config'],
  ['lvs', "a running daemon's load-balancer table as ipvsadm -Ln shows it, with the checkers' verdicts; lvs plan -f FILE: what it would program at start"],
  ['genhash', 'print the MD5 digest an HTTP_GET/SSL_GET url block would compare (keepalived --genhash)'],
  ['daemon', "run the daemon (VRRP and health checkers) with keepalived's options (the same as giving no command)"],
  ['status', "a running daemon's instances, priorities, masters, VIPs, trackers and drops (--json, --watch)"],
  ['reload', 'reload a running daemon (like SIGHUP), showing the configuration errors if any'],
  ['stop', 'stop a running daemon gracefully (like SIGTERM) and wait until it has exited'],
  ['help', 'show the help of a command: keepalived-ts help check'],
];

export const COMMAND_NAMES: readonly string[] = COMMAND_SUMMARIES.map(([name]) => name);

export const SHORT_USAGE = `usage: ${PROGRAM} [COMMAND] [OPTION...]   ('${PROGRAM} --help' lists the commands and options)`;

/** `keepalived-ts --help` / `keepalived-ts help`. */
export function topLevelHelp(): string {
  const width = Math.max(...COMMAND_NAMES.map((n) => n.length));
  return [
    `Usage: ${PROGRAM} COMMAND [OPTION...]`,
    `       ${PROGRAM} [OPTION...]             the daemon, with keepalived's options (below)`,
    '',
    'Commands:',
    ...COMMAND_SUMMARIES.map(([name, summary]) => `  ${name.padEnd(width)}  ${summary}`),
    '',
    `'${PROGRAM} COMMAND --help' prints the options of a command.`,
    '',
    "Daemon options (keepalived 2.2.7's, also taken by 'daemon'):",
    daemonOptionsText(),
  ].join('\n');
}

/**
 * A word that is neither an option nor a known command. keepalived only warns about unexpected
 * arguments and starts anyway; with sub-commands a typo is likely, so we refuse instead.
 * `first` says whether the word came where a command goes (the first argument).
 */
export function unknownArgument(word: string, first: boolean): string {
  const near = nearestKeyword(word, COMMAND_NAMES);
  const fileLike = /[/.]/.test(word);
  const hint = near && !fileLike ? ` (did you mean ${near.keyword}?)` : fileLike ? ` (a configuration file goes after -f: ${PROGRAM} -f ${word}, or ${PROGRAM} check ${word})` : '';
  return first ? `unknown command '${word}'${hint}` : `unexpected argument '${word}'${hint}`;
}
