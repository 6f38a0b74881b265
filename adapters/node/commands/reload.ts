/** `keepalived-ts reload`: see control-cli.ts and docs/daemon.md "Status, metrics and the journal". */
import { runControlCommand } from './control-cli.js';

export function run(argv: string[]): Promise<number> {
  return runControlCommand('reload', argv);
}
