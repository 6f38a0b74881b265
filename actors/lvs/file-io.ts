/**
 * FILE_CHECK's track files through the Files port (inotify in the daemon): read once before the
 * checkers start (their state at start follows the file), then watched; every change is read
 * again, parsed as keepalived's checker process does (strtol of the first 127 bytes,
 * machines/check/file-check.ts) and sent to the checkers following that file as `file.value`.
 */
import { parseCheckFileValue } from '../../machines/check/file-check.js';
import type { Ports } from '../ports.js';
import type { RuntimeSink } from '../sink.js';

export class CheckFiles {
  /** The last good value of each path. */
  private readonly values = new Map<string, number>();
  private readonly watches = new Map<string, () => void>();
  /** Checker systemIds per path. */
  private subscribers = new Map<string, string[]>();

  constructor(
    private readonly ports: Ports,
    private readonly sink: RuntimeSink,
    /** Deliver a new value to one checker (by systemId). */
    private readonly deliver: (systemId: string, value: number) => void,
  ) {}

  value(path: string): number {
    return this.values.get(path) ?? 0;
  }

  /** Read every path not read yet; `done` once all answered. */
  load(paths: readonly string[], done: () => void): void {
    const todo = [...new Set(paths)].filter((p) => !this.values.has(p));
    let left = todo.length;
    if (left === 0) return done();
    for (const path of todo) {
      this.read(path, () => {
        if (--left === 0) done();
      });
    }
  }

  /** Follow exactly these paths, each for these checkers (a reload calls it again). */
  follow(subscribers: Map<string, string[]>): void {
    this.subscribers = subscribers;
    for (const [path, off] of this.watches) {
      if (subscribers.has(path)) continue;
      off();
      this.watches.delete(path);
    }
    for (const path of subscribers.keys()) {
      if (this.watches.has(path)) continue;
      this.watches.set(
        path,
        this.ports.files.watch(path, () =>
          this.read(path, (changed) => {
            if (!changed) return;
            for (const id of this.subscribers.get(path) ?? []) this.deliver(id, this.value(path));
          }),
        ),
      );
    }
  }

  close(): void {
    for (const off of this.watches.values()) off();
    this.watches.clear();
  }

  private read(path: string, then: (changed: boolean) => void): void {
    this.ports.files.read(path, (content, error) => {
      if (error) this.sink.log('warning', `Track file ${path}: ${error}`);
      const r = parseCheckFileValue(content);
      if ('invalid' in r) {
        this.sink.log('info', `Invalid number ${r.invalid} read from ${path} - ignoring`);
        return then(false);
      }
      const changed = this.values.get(path) !== r.value;
      this.values.set(path, r.value);
      then(changed);
    });
  }
}
