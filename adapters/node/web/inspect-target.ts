/**
 * Where `--inspect` sends Stately inspection events (pure; the daemon checks it before it starts).
 */
import { LOOPBACK, parseListenAddress, type ListenAddress } from '../listen-address.js';

/** Where `--inspect` sends: a relay we host ([ADDR:]PORT), or a WebSocket endpoint already there. */
export type InspectTarget = { relay: ListenAddress } | { url: string };

export const DEFAULT_INSPECT_PORT = 8080;

/** `--inspect` alone, `--inspect=[ADDR:]PORT` or `--inspect=ws://HOST:PORT/…`. */
export function parseInspectTarget(text: string | true | undefined): InspectTarget | { error: string } {
  if (text === undefined || text === true || text === '') return { relay: { host: LOOPBACK, port: DEFAULT_INSPECT_PORT } };
  if (/^wss?:\/\//i.test(text)) {
    try {
      return { url: new URL(text).href };
    } catch {
      return { error: `--inspect: '${text}' is not a WebSocket URL` };
    }
  }
  const a = parseListenAddress(text, '--inspect');
  return 'error' in a ? { error: `${a.error}, or a ws:// URL` } : { relay: a };
}
