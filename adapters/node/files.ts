/**
 * The Files port: track_file reads, notify_fifo lines, path watches.
 *
 * writeLine opens with O_NONBLOCK, so opening a FIFO never waits for a reader: with no reader the
 * kernel says ENXIO and the line is dropped and counted (keepalived would block or lose it the
 * same way). The descriptor then stays open, so a reader doing `while read line` sees one
 * continuous stream; if the reader goes away (EPIPE) it is closed and reopened on the next line.
 * Lines to one path are written in order, one at a time.
 */
import { close, constants, open, readFile, watch, write } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Files } from '../../actors/ports.js';
import { errorCode, errorText, netio } from '../linux/native.js';

const { O_WRONLY, O_APPEND, O_NONBLOCK, O_NOCTTY, O_CLOEXEC } = constants as typeof constants & { O_CLOEXEC?: number };
const WRITE_FLAGS = O_WRONLY | O_APPEND | O_NONBLOCK | O_NOCTTY | (O_CLOEXEC ?? 0);

/**
 * notify_fifo start-up, as keepalived does it: create the FIFO (mode 0644 less the umask) unless
 * something already exists at `path`. Returns an error string, or undefined when the path is
 * ready (created now or already there).
 */
export function ensureFifo(path: string): string | undefined {
  try {
    netio().mkfifo(path, 0o644);
    return undefined;
  } catch (e) {
    return errorCode(e) === 'EEXIST' ? undefined : `Unable to create notify fifo ${path}: ${errorText(e)}`;
  }
}

export interface NodeFiles extends Files {
  /** Lines dropped for `path` (no FIFO reader, FIFO full, write error). */
  dropped(path: string): number;
  /** Close every descriptor kept open for writeLine and stop every watch. */
  close(): void;
}

interface Target {
  fd?: number;
  queue: { line: string; done: (error?: string) => void }[];
  busy: boolean;
  dropped: number;
}

export function createNodeFiles(): NodeFiles {
  const targets = new Map<string, Target>();
  const watchers = new Set<() => void>();

  const pump = (path: string, t: Target): void => {
    const item = t.queue.shift();
    if (!item) {
      t.busy = false;
      return;
    }
    t.busy = true;
    const finish = (error?: string): void => {
      if (error) t.dropped++;
      item.done(error && `${error} (${t.dropped} line${t.dropped === 1 ? '' : 's'} dropped)`);
      pump(path, t);
    };
    const writeOn = (fd: number): void => {
      const data = Buffer.from(item.line.endsWith('\n') ? item.line : `${item.line}\n`);
      write(fd, data, 0, data.length, null, (err, written) => {
        if (!err && written === data.length) return finish();
        if (err?.code === 'EPIPE' || err?.code === 'EBADF') {
          close(fd, () => {});
          t.fd = undefined;
          return finish(`${path}: reader went away`);
        }
        if (err?.code === 'EAGAIN') return finish(`${path}: FIFO full, reader too slow`);
        finish(`${path}: ${err ? err.message : `short write (${written}/${data.length})`}`);
      });
    };
    if (t.fd !== undefined) return writeOn(t.fd);
    open(path, WRITE_FLAGS, (err, fd) => {
      if (err) return finish(err.code === 'ENXIO' ? `${path}: FIFO has no reader` : `${path}: ${err.message}`);
      t.fd = fd;
      writeOn(fd);
    });
  };

  return {
    read(path, done) {
      readFile(path, 'utf8', (err, text) => {
        if (!err) return done(text);
        if (err.code === 'ENOENT') return done(undefined);
        done(undefined, `${path}: ${err.message}`);
      });
    },
    writeLine(path, line, done) {
      let t = targets.get(path);
      if (!t) targets.set(path, (t = { queue: [], busy: false, dropped: 0 }));
      t.queue.push({ line, done });
      if (!t.busy) pump(path, t);
    },
    watch(path, onChange) {
      // Watch the directory: the file may not exist yet, or be replaced by rename (editors, mv).
      const name = basename(path);
      let w: ReturnType<typeof watch> | undefined;
      try {
        w = watch(dirname(path), { persistent: true }, (_event, filename) => {
          if (filename === null || filename.toString() === name) onChange();
        });
        w.on('error', () => {});
      } catch {
        w = undefined;
      }
      const stop = (): void => {
        watchers.delete(stop);
        w?.close();
      };
      watchers.add(stop);
      return stop;
    },
    dropped: (path) => targets.get(path)?.dropped ?? 0,
    close() {
      for (const t of targets.values()) {
        if (t.fd !== undefined) close(t.fd, () => {});
        t.fd = undefined;
      }
      for (const stop of [...watchers]) stop();
    },
  };
}
