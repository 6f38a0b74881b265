/**
 * The daemon's journal (`--trace FILE`): the runtime's events as the simulator's JSON-lines trace
 * (sim/out/trace.ts, sim/events.ts), so a production incident reads with the same tools (jq, the
 * web view's replay) as a simulated one. `t` is wall-clock seconds since the epoch, with
 * microseconds (the simulator's is simulated seconds).
 *
 * The children also write each statechart actor's state changes as `actor` lines (role-host.ts,
 * actors/actor-feed.ts), as the simulator's trace has them, so `sim --replay` lights every machine.
 *
 * Each process appends its own lines to FILE (opened O_APPEND, mode 0600); lines are buffered for
 * at most 200 ms and written whole, so the parent's and the children's lines never interleave
 * inside a line. The file is never truncated: rotate it like a log (copytruncate works).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../../actors/ports.js';
import type { RuntimeEvent } from '../../../actors/runtime-types.js';
import type { SimEvent } from '../../../sim/events.js';
import { eventToJson } from '../../../sim/out/trace.js';

const FLUSH_MS = 200;
const FLUSH_BYTES = 256 * 1024;

/** Wall-clock microseconds since the epoch. */
export function wallMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

type Body<T> = T extends unknown ? Omit<T, 't'> : never;
export type TraceEvent = Body<SimEvent>;

export class TraceFile {
  private fd: number | undefined;
  private buffer: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly path: string,
    private readonly log: Logger,
  ) {
    try {
      this.fd = openSync(path, 'a', 0o600);
    } catch (e) {
      log.log('error', `--trace ${path}: ${(e as Error).message} - no trace`);
    }
  }

  write(e: TraceEvent, tMicros = wallMicros()): void {
    if (this.fd === undefined) return;
    const line = `${eventToJson({ t: tMicros, ...e } as SimEvent)}\n`;
    this.buffer.push(line);
    this.bytes += line.length;
    if (this.bytes >= FLUSH_BYTES) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.fd === undefined || this.buffer.length === 0) return;
    const text = this.buffer.join('');
    this.buffer = [];
    this.bytes = 0;
    try {
      writeSync(this.fd, text);
    } catch (e) {
      this.log.log('error', `--trace ${this.path}: ${(e as Error).message} - trace stopped`);
      this.close();
    }
  }

  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.flush();
    this.fd = undefined;
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}

/**
 * A runtime's events as the simulator records them (sim/world.ts onRuntimeEvent, tracing):
 * states, priorities, groups, notifications, dropped adverts (`n` counts per instance and
 * reason), log lines, the stop; everything else as a `runtime` event with its fields as JSON.
 */
export class RuntimeTrace {
  private readonly drops = new Map<string, number>();

  constructor(
    private readonly file: TraceFile,
    private readonly host: string,
  ) {}

  observe(e: RuntimeEvent): void {
    const host = this.host;
    switch (e.type) {
      case 'instance.state':
        return this.file.write({ type: 'state', host, instance: e.instance, from: e.from, to: e.to, priority: e.priority, reason: e.reason });
      case 'instance.priority':
        return this.file.write({ type: 'priority', host, instance: e.instance, priority: e.priority });
      case 'group.state':
        return this.file.write({ type: 'group', host, group: e.group, to: e.to });
      case 'notify':
        return this.file.write({ type: 'notify', host, argv: e.argv });
      case 'advert.dropped': {
        const key = `${e.instance}|${e.reason}`;
        const n = (this.drops.get(key) ?? 0) + 1;
        this.drops.set(key, n);
        return this.file.write({ type: 'advert-drop', host, instance: e.instance, reason: e.reason, n });
      }
      case 'log':
        return this.file.write({ type: 'log', host, level: e.level, message: e.message });
      case 'runtime.stopped':
        return this.file.write({ type: 'daemon', host, what: 'stopped' });
      default: {
        const { type, at: _at, ...rest } = e;
        return this.file.write({ type: 'runtime', host, event: type, detail: JSON.stringify(rest) });
      }
    }
  }
}
