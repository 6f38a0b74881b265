/**
 * What happens when the reader of our stdout or stderr goes away (`keepalived-ts sim … | head`,
 * a closed terminal). Without a listener Node throws an unhandled 'error' (EPIPE) and dies with
 * a stack trace.
 *
 *  - 'exit' (the commands): stop at once and quietly, with status 141 (128 + SIGPIPE), as a C
 *    program killed by SIGPIPE would; the reader has what it wanted.
 *  - 'ignore' (the daemon and its children): a daemon must not stop because its console log has
 *    no reader; the lines are dropped and syslog / the log file still get them.
 */
export type ClosedOutputPolicy = 'exit' | 'ignore';

/** 128 + SIGPIPE (13): what the shell reports for a process killed by SIGPIPE. */
export const EXIT_CLOSED_PIPE = 141;

const CLOSED = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

let policy: ClosedOutputPolicy = 'exit';
let installed = false;

export function handleClosedOutput(p: ClosedOutputPolicy): void {
  policy = p;
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (!CLOSED.has(e.code ?? '')) throw e;
      if (policy === 'exit') process.exit(EXIT_CLOSED_PIPE);
    });
  }
}
