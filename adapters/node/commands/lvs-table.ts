/**
 * `keepalived-ts lvs [--json] [--watch [SECONDS]] [--control PATH | -p PIDFILE]`: the running
 * daemon's load-balancer table, asked over its control socket (the `lvs` request) and printed
 * as ipvsadm -Ln lays it out, with each real server's state from the checkers
 * (control/lvs-format.ts). Options and exit statuses as `keepalived-ts status` (control-cli.ts).
 */
import { runControlCommand, USAGE } from './control-cli.js';

export const LVS_TABLE_USAGE = USAGE.lvs;

export function runLvsTable(argv: string[]): Promise<number> {
  return runControlCommand('lvs', argv);
}
