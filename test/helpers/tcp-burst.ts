/**
 * Run inside a lab namespace by test/system/tcp-connect.test.ts: the bare TCP_CHECK connect
 * without net_namespace (the addon makes the socket itself, as in the daemon's usual case), and
 * a burst of connects that all end at once, more than one batch of the addon's results, each
 * result starting another connect (which takes the fd number just freed) while the rest of its
 * batch is still being handed out. Prints one line: `result <json>`.
 *
 *   node --import tsx test/helpers/tcp-burst.ts HOST OPEN_PORT CLOSED_PORT COUNT
 */
import { readdirSync, readlinkSync } from 'node:fs';
import type { ProbeOutcome } from '../../actors/lvs/prober-port.js';
import { createProber } from '../../adapters/probe/prober.js';
import { checker, probeOnce } from './probe-lab.js';

const [host = '', open = '', closed = '', count = ''] = process.argv.slice(2);
const prober = createProber({ scripts: undefined as never });
const tcp = checker('TCP_CHECK');
const target = (port: string) => ({ family: 4 as const, address: host, port: Number(port) });
/** The open fds as "number target": a leak is one open after the burst that was not before (a
 *  count would also move with fds node or tsx close meanwhile: once -1 in CI). */
const fds = (): Set<string> =>
  new Set(
    readdirSync('/proc/self/fd').map((f) => {
      try {
        return `${f} ${readlinkSync(`/proc/self/fd/${f}`)}`;
      } catch {
        return `${f} gone`; // the directory's own fd, closed by the time it is read
      }
    }),
  );
const word = (o: ProbeOutcome): string => (o.ok ? 'ok' : o.failure);

const connected = word((await probeOnce(prober, tcp, target(open))).outcome);
const refused = word((await probeOnce(prober, tcp, target(closed))).outcome);

const n = Number(count);
const before = fds();
const first: string[] = [];
const second: string[] = [];
await new Promise<void>((resolve) => {
  let left = 2 * n;
  const answered = (into: string[], o: ProbeOutcome): void => {
    into.push(word(o));
    if (--left === 0) resolve();
  };
  for (let i = 0; i < n; i++) {
    prober.probe({ checker: tcp, target: target(closed), timeoutMs: 5000 }, (o) => {
      answered(first, o);
      prober.probe({ checker: tcp, target: target(closed), timeoutMs: 5000 }, (p) => answered(second, p));
    });
  }
});
// A second answer to any attempt would come in here.
await new Promise((r) => setTimeout(r, 200));
const tally = (xs: string[]) => xs.reduce<Record<string, number>>((t, x) => ({ ...t, [x]: (t[x] ?? 0) + 1 }), {});
console.log(`result ${JSON.stringify({ connected, refused, first: tally(first), second: tally(second), leakedFds: [...fds()].filter((f) => !before.has(f) && !f.endsWith(' gone')).length })}`);
