#!/usr/bin/env node
/**
 * keepalived-ts command line.
 *
 *   keepalived-ts check -f FILE [FILE…]   compile and lint configs (also: keepalived-ts -t -f FILE)
 *   keepalived-ts pcap FILE [-f CONF]     decode and judge the VRRP packets of a capture
 *   keepalived-ts sim [SCENARIO] [...]    replay a failover scenario in the simulator
 *   keepalived-ts genhash -s IP -p PORT -u PATH [-S] [-I] [-V VHOST]   the MD5 digest HTTP_GET compares
 *   keepalived-ts [keepalived flags]      run the daemon, with keepalived's own flags
 *
 * Each sub-command lives in adapters/node/commands/<name>.ts and exports
 * `run(argv: string[]): Promise<number>` returning the process exit code.
 */
const COMMANDS: Record<string, () => Promise<{ run(argv: string[]): Promise<number> }>> = {
  check: () => import('./commands/check.js'),
  pcap: () => import('./commands/pcap.js'),
  sim: () => import('./commands/sim.js'),
  daemon: () => import('./commands/daemon.js'),
  genhash: () => import('./commands/genhash.js'),
};

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first && Object.hasOwn(COMMANDS, first)) {
    const mod = await COMMANDS[first]!();
    return mod.run(rest);
  }
  // keepalived's spelling: `-t`/`--config-test` is the config check, everything else is the daemon.
  if (argv.some((a) => a === '-t' || a === '--config-test' || a.startsWith('--config-test='))) {
    const mod = await COMMANDS.check!();
    return mod.run(argv);
  }
  const mod = await COMMANDS.daemon!();
  return mod.run(argv);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`keepalived-ts: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
