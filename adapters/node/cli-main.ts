/**
 * The command line's dispatcher (adapters/node/cli.ts runs it): sub-command, `help`, keepalived's
 * `-t` spelling of check, or the daemon. Usage errors exit 2 before anything starts.
 */
type Command = { run(argv: string[]): Promise<number> };

const COMMANDS: Record<string, () => Promise<Command>> = {
  check: () => import('./commands/check.js'),
  pcap: () => import('./commands/pcap.js'),
  sim: () => import('./commands/sim.js'),
  daemon: () => import('./commands/daemon.js'),
  genhash: () => import('./commands/genhash.js'),
  lvs: () => import('./commands/lvs.js'),
  status: () => import('./commands/status.js'),
  reload: () => import('./commands/reload.js'),
  stop: () => import('./commands/stop.js'),
};

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first && Object.hasOwn(COMMANDS, first)) {
    const mod = await COMMANDS[first]!();
    return mod.run(rest);
  }
  if (first === 'help') {
    const { PROGRAM, SHORT_USAGE, EXIT_USAGE, topLevelHelp, unknownArgument } = await import('./cli-usage.js');
    const [topic, ...extra] = rest;
    if (topic === undefined) {
      process.stdout.write(topLevelHelp());
      return 0;
    }
    if (!Object.hasOwn(COMMANDS, topic) || extra.length > 0) {
      process.stderr.write(`${PROGRAM} help: ${unknownArgument(extra.length > 0 && Object.hasOwn(COMMANDS, topic) ? extra[0]! : topic, true)}\n${SHORT_USAGE}\n`);
      return EXIT_USAGE;
    }
    return (await COMMANDS[topic]!()).run(['--help']);
  }
  // keepalived's spelling: `-t`/`--config-test` is the config check, everything else is the daemon.
  // The daemon module decides on unknown words and options before anything starts.
  if (argv.some((a) => a === '-t' || a === '--config-test' || a.startsWith('--config-test='))) {
    const { parseFlags } = await import('./daemon/flags.js');
    const parsed = parseFlags(argv);
    // check reports its own unknown options; stray words and -h/-v are the daemon's to answer.
    if (parsed.unexpected.length === 0 && !parsed.flags.help && !parsed.flags.version) {
      const mod = await COMMANDS.check!();
      return mod.run(argv);
    }
  }
  const daemon = await import('./commands/daemon.js');
  return daemon.run(argv, { topLevel: true });
}
