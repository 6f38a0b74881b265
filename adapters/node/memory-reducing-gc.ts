/**
 * V8's memory-reducing collection on demand: what V8's memory reducer does on its own about 8 s
 * after a full collection that shrank the heap, done now.
 *
 * `gc()` (v8-gc.ts) marks and compacts, but keeps the young generation at its grown size and the
 * old generation's emptied pages pooled: in the VRRP child after start-up the RSS stays where it
 * was until the memory reducer runs (docs/benchmarks.md, "Why the RSS still moves by 10 MiB").
 * Node has no JavaScript API for the collection that gives those pages back (V8's
 * `Isolate::LowMemoryNotification`, for a C++ embedder), but the inspector's
 * `HeapProfiler.collectGarbage` command runs exactly that: collections that reduce the footprint
 * until nothing more is freed, the young generation shrunk, and freed pages unmapped. An
 * in-process inspector session opens no port and has no client: it is made, asked, and closed
 * once V8 has answered (after the collection, which V8 runs as a task of its own).
 *
 * It is a stop-the-world collection (tens of milliseconds at 1,000 VRRP instances): the callers
 * choose when (role-host.ts). Returns false where node has no inspector (built without one):
 * then V8's memory reducer still does it, later.
 */
import type { Session } from 'node:inspector';
import { createRequire } from 'node:module';

type SessionCtor = new () => Session;
let ctor: SessionCtor | null | undefined;

function sessionCtor(): SessionCtor | null {
  if (ctor !== undefined) return ctor;
  try {
    // Loaded when first needed: `node:inspector` throws on import in a node built without it.
    ctor = (createRequire(import.meta.url)('node:inspector') as { Session: SessionCtor }).Session;
  } catch {
    ctor = null;
  }
  return ctor;
}

/** Resolves true once V8 has collected, false where it cannot (no inspector, or no answer within `timeoutMs`). */
export function memoryReducingGc(timeoutMs = 5000): Promise<boolean> {
  const Ctor = sessionCtor();
  if (!Ctor) return Promise.resolve(false);
  return new Promise((resolve) => {
    let session: Session | undefined;
    let timer: NodeJS.Timeout | undefined;
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      const s = session;
      session = undefined;
      // Not inside the session's own callback: disconnect() there never returns (node 20).
      setImmediate(() => {
        try {
          s?.disconnect();
        } catch {
          // not connected
        }
        resolve(ok);
      });
    };
    try {
      session = new Ctor();
      session.connect();
      // V8 runs the collection as a task of its own and answers after it.
      session.post('HeapProfiler.collectGarbage', (err) => done(!err));
      timer = setTimeout(() => done(false), timeoutMs);
      timer.unref();
    } catch {
      done(false);
    }
  });
}
