/**
 * The daemon's control socket (parent process): a Unix stream socket, mode 0600 (root only, the
 * daemon runs as root), speaking protocol.ts. Default path: the pid file's, with `.sock` for
 * `.pid` (paths.ts); `--control PATH` sets it.
 *
 * Nothing a client does can block or take down the daemon:
 *  - every socket operation is non-blocking; requests on one connection are answered in order,
 *    one at a time; reading pauses while an answer waits to be written;
 *  - an answer that the client does not read within `drainMs`, or more than `maxBufferedBytes`
 *    waiting for it, closes that connection (a client that never reads);
 *  - a connection that sends nothing for `idleMs` is closed; a line longer than
 *    MAX_REQUEST_BYTES gets an error and the connection is closed;
 *  - at most `maxConnections` connections at once (more are refused by the kernel's accept);
 *  - a malformed request gets an error line; the connection stays usable.
 */
import { chmodSync, lstatSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../../../actors/ports.js';
import { MAX_REQUEST_BYTES, parseRequest, responseLine, tooLong, type ControlRequest, type ControlResponse } from './protocol.js';

/** Requests read but not yet answered, per connection, before reading pauses. */
const MAX_QUEUED = 64;

export interface ControlHandlers {
  status(): Promise<unknown>;
  /** The load-balancer table and virtual servers (`keepalived-ts lvs`). */
  lvs(): Promise<unknown>;
  reload(): { reloaded: boolean; errors: string[] };
  /** Called after the answer was written. */
  stop(): void;
  ping(): unknown;
}

export interface ControlLimits {
  maxConnections: number;
  idleMs: number;
  drainMs: number;
  maxBufferedBytes: number;
}

export const DEFAULT_CONTROL_LIMITS: Readonly<ControlLimits> = {
  maxConnections: 16,
  idleMs: 30_000,
  drainMs: 10_000,
  maxBufferedBytes: 1024 * 1024,
};

export interface ControlServer {
  readonly path: string;
  /** Connections closed because their client did not read, sent too much, or went idle. */
  readonly dropped: { slow: number; idle: number; tooLong: number };
  close(): void;
}

/** Is something listening on the Unix socket at `path`? */
function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    const done = (v: boolean) => {
      s.destroy();
      resolve(v);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(1000, () => done(false));
  });
}

/**
 * Listen on `path`. A stale socket left by a killed daemon is replaced; a live one, or a file that
 * is not a socket, is an error (returned, never thrown: the daemon runs on without the socket).
 */
export async function listenControl(path: string, handlers: ControlHandlers, log: Logger, limits: Partial<ControlLimits> = {}): Promise<ControlServer | { error: string }> {
  const lim: ControlLimits = { ...DEFAULT_CONTROL_LIMITS, ...limits };
  try {
    const st = lstatSync(path);
    if (!st.isSocket()) return { error: `${path} exists and is not a socket - not replacing it` };
    if (await listening(path)) return { error: `${path} is in use by another process` };
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return { error: `${path}: ${(e as Error).message}` };
  }
  const sockets = new Set<Socket>();
  const dropped = { slow: 0, idle: 0, tooLong: 0 };
  const server: Server = createServer({ allowHalfOpen: false }, (socket) => serve(socket));
  server.maxConnections = lim.maxConnections;

  function serve(socket: Socket): void {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(lim.idleMs, () => {
      dropped.idle++;
      socket.destroy();
    });
    let pending = '';
    const lines: string[] = [];
    let busy = false;
    let drainTimer: NodeJS.Timeout | undefined;

    const write = (r: ControlResponse): boolean => {
      if (socket.destroyed) return false;
      const ok = socket.write(responseLine(r));
      if (socket.writableLength > lim.maxBufferedBytes) {
        dropped.slow++;
        socket.destroy();
        return false;
      }
      if (!ok) {
        // The client is not reading: stop taking requests until it does, for at most drainMs.
        socket.pause();
        drainTimer = setTimeout(() => {
          dropped.slow++;
          socket.destroy();
        }, lim.drainMs);
        socket.once('drain', () => {
          clearTimeout(drainTimer);
          drainTimer = undefined;
          socket.resume();
          next();
        });
        return false;
      }
      return true;
    };

    const answer = async (req: ControlRequest): Promise<ControlResponse> => {
      const id = req.id !== undefined ? { id: req.id } : {};
      try {
        switch (req.cmd) {
          case 'status':
            return { ...id, ok: true, result: await handlers.status() };
          case 'lvs':
            return { ...id, ok: true, result: await handlers.lvs() };
          case 'reload':
            return { ...id, ok: true, result: handlers.reload() };
          case 'stop':
            return { ...id, ok: true, result: { stopping: true, pid: process.pid } };
          case 'ping':
            return { ...id, ok: true, result: handlers.ping() };
        }
      } catch (e) {
        return { ...id, ok: false, code: 'failed', error: (e as Error).message };
      }
    };

    const next = (): void => {
      if (busy || drainTimer || socket.destroyed) return;
      const line = lines.shift();
      if (line === undefined) return;
      if (lines.length <= MAX_QUEUED && socket.isPaused()) socket.resume();
      const parsed = parseRequest(line);
      if (!parsed.ok) {
        if (write(parsed.response)) next();
        return;
      }
      busy = true;
      void answer(parsed.request).then((r) => {
        busy = false;
        const flowing = write(r);
        if (parsed.request.cmd === 'stop' && r.ok) {
          socket.end();
          setImmediate(() => handlers.stop());
          return;
        }
        if (flowing) next();
      });
    };

    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) lines.push(line);
      }
      if (Buffer.byteLength(pending) > MAX_REQUEST_BYTES) {
        dropped.tooLong++;
        pending = '';
        lines.length = 0;
        socket.end(responseLine(tooLong()));
        return;
      }
      // Requests waiting in a connection are bounded like its answers: stop reading until they are done.
      if (lines.length > MAX_QUEUED) socket.pause();
      next();
    });
  }

  const listened = await new Promise<string | undefined>((resolve) => {
    server.once('error', (e) => resolve(e.message));
    server.listen(path, () => resolve(undefined));
  });
  if (listened !== undefined) return { error: `cannot listen on ${path}: ${listened}` };
  server.on('error', (e) => log.log('warning', `control socket ${path}: ${e.message}`));
  let ino: number | undefined;
  try {
    chmodSync(path, 0o600);
    ino = statSync(path).ino;
  } catch (e) {
    server.close();
    return { error: `cannot set the mode of ${path}: ${(e as Error).message}` };
  }
  return {
    path,
    dropped,
    close: () => {
      server.close();
      // A connection that has its last answer (stop) is left to finish writing it.
      for (const s of sockets) if (!s.writableEnded) s.destroy();
      try {
        // Only our own socket: a later daemon may have replaced it.
        if (statSync(path).ino === ino) unlinkSync(path);
      } catch {
        // already gone
      }
    },
  };
}
