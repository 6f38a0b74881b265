/**
 * `keepalived-ts sim --replay FILE… --web [ADDR:]PORT`: no run; the saved traces are read
 * (adapters/node/web/replay.ts), what was left out is said, and the web view serves them until
 * Ctrl-C. Exit codes: 0 served, 1 a file cannot be read, nothing to show, or the port cannot be
 * bound; 2 a bad --web value.
 */
import { basename } from 'node:path';
import { parseListenAddress } from '../listen-address.js';
import { describeReplay, loadReplay, serveReplay } from '../web/replay.js';

export interface ReplayIo {
  out: (s: string) => void;
  err: (s: string) => void;
  cwd: string;
  serveUntil: (lines: string[]) => Promise<void>;
}

export async function runReplay(files: readonly string[], web: string, io: ReplayIo): Promise<number> {
  const listen = parseListenAddress(web, '--web');
  if ('error' in listen) {
    io.err(`keepalived-ts sim: ${listen.error}`);
    return 2;
  }
  let replay;
  try {
    replay = await loadReplay(files, io.cwd);
  } catch (e) {
    io.err(`keepalived-ts sim: --replay: ${(e as Error).message}`);
    return 1;
  }
  for (const l of describeReplay(replay)) io.out(l);
  if (replay.records.length === 0) {
    io.err(`keepalived-ts sim: --replay: no records to show in ${files.join(', ')}`);
    return 1;
  }
  const title = `replay of ${files.map((f) => basename(f)).join(' + ')}`;
  let server;
  try {
    server = await serveReplay(replay, listen, title);
  } catch (e) {
    io.err(`keepalived-ts sim: --web: ${(e as Error).message}`);
    return 1;
  }
  try {
    const lines = [`web view: ${server.url}`];
    for (const l of lines) io.err(l);
    await io.serveUntil(lines);
  } finally {
    await server.close();
  }
  return 0;
}
