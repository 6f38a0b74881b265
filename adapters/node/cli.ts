#!/usr/bin/env node
/**
 * keepalived-ts command line.
 *
 *   keepalived-ts check -f FILE [FILE…]   compile and lint configs (also: keepalived-ts -t -f FILE)
 *   keepalived-ts pcap FILE [-f CONF]     decode and judge the VRRP packets of a capture
 *   keepalived-ts sim [SCENARIO] [...]    replay a failover scenario in the simulator
 *   keepalived-ts genhash -s IP -p PORT -u PATH [-S] [-I] [-V VHOST]   the MD5 digest HTTP_GET compares
 *   keepalived-ts lvs plan -f FILE [--backend ipvs|nftables] [--hex]   what the daemon would program at start
 *   keepalived-ts [keepalived flags]      run the daemon, with keepalived's own flags
 *
 *   keepalived-ts help [COMMAND]          the list of commands, or a command's options
 *
 * Each sub-command lives in adapters/node/commands/<name>.ts and exports
 * `run(argv: string[]): Promise<number>` returning the process exit code. Usage errors (an
 * unknown command, option or stray word) exit 2 and start nothing.
 */
import { main } from './cli-main.js';
import { handleClosedOutput } from './stdio.js';

// `keepalived-ts sim … | head`: a reader that goes away ends the command quietly (the daemon
// switches this to 'ignore').
handleClosedOutput('exit');

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`keepalived-ts: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
