/**
 * The web view's HTTP server (`--web [ADDR:]PORT` of the daemon and of `sim`): a page that draws
 * every machine with mermaid (ELK layout) and highlights each actor's current state, read-only.
 *
 *   GET /                    the page (adapters/node/web/static)
 *   GET /vendor/mermaid/…    mermaid's ESM build, from node_modules (no CDN)
 *   GET /vendor/layout-elk/… @mermaid-js/layout-elk, likewise
 *   GET /api/meta            { mode, title, first, end }
 *   GET /api/diagrams        the machines' diagrams (sim/view/diagram.ts)
 *   GET /api/view?t=&all=    the view at t (sim/view/view-model.ts), with every actor ever seen
 *                            (`known`, so the page lays out once); t defaults to the latest record
 *   GET /api/trace           every record kept, as JSON lines
 *   GET /api/stream?all=     server-sent events: `view` (the latest view) as records arrive, at
 *                            most every 250 ms; `diagrams` when a new machine appears
 *
 * It never blocks its process: a client that does not read is dropped once 1 MiB waits for it,
 * and each push is one small computation. Bound to loopback, it answers only requests addressed
 * to a loopback name (a page elsewhere cannot reach it through DNS rebinding).
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FeedSource } from '../../../sim/view/feed.js';
import { knownActors, viewAt, type KnownActor, type ViewOptions } from '../../../sim/view/view-model.js';
import { isLoopback, urlOf, type ListenAddress } from '../listen-address.js';

export interface WebMeta {
  /** `replay`: a trace file read back (adapters/node/web/replay.ts). */
  mode: 'sim' | 'daemon' | 'replay';
  title: string;
  /** The records' `t` is wall-clock seconds since the epoch (a daemon's journal). */
  wall?: boolean;
  /** Where the time slider starts and ends (the simulator: 0 and the scenario's end). */
  first?: number;
  end?: number;
}

export interface WebServerOptions {
  listen: ListenAddress;
  feed: FeedSource;
  meta: WebMeta;
  /** Push interval of the live stream (ms, default 250). */
  pushIntervalMs?: number;
}

export interface WebServer {
  url: string;
  address: ListenAddress;
  /** Live streams open now. */
  streams(): number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const MAX_BUFFERED = 1 << 20;
const MAX_STREAMS = 32;

/** adapters/node/web/static next to this file, or above dist/ when running the build. */
function staticDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'static'), resolve(here, '../../../../adapters/node/web/static')];
  const found = candidates.find((d) => {
    try {
      return statSync(join(d, 'index.html')).isFile();
    } catch {
      return false;
    }
  });
  if (!found) throw new Error(`the web view's page is missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** A package's dist/ folder in node_modules, or a clear error naming the package. */
function packageDist(name: string): string {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${name}/package.json`)), 'dist');
  } catch {
    throw new Error(`the web view needs the npm package ${name} (run npm install)`);
  }
}

/** `root/rel` when it stays inside root and is a regular file we serve. */
function safeFile(root: string, rel: string): string | undefined {
  if (rel.includes('\0')) return undefined;
  const p = normalize(join(root, rel));
  if (!p.startsWith(root + sep)) return undefined;
  if (!TYPES[extname(p)]) return undefined;
  try {
    return statSync(p).isFile() ? p : undefined;
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

const json = (res: ServerResponse, value: unknown) => send(res, 200, 'application/json; charset=utf-8', JSON.stringify(value));

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const pages = staticDir();
  const vendor: Record<string, string> = { mermaid: packageDist('mermaid'), 'layout-elk': packageDist('@mermaid-js/layout-elk') };
  const index = readFileSync(join(pages, 'index.html'), 'utf8');
  const { feed, meta } = opts;
  const interval = opts.pushIntervalMs ?? 250;
  const streams = new Set<{ res: ServerResponse; all: boolean; diagrams: number }>();
  let port = opts.listen.port;
  const loopback = isLoopback(opts.listen.host);

  const hostAllowed = (req: IncomingMessage): boolean => {
    if (!loopback) return true;
    const h = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    return h === 'localhost' || h === '[::1]' || isLoopback(h);
  };

  // Every actor seen so far, recomputed only when records were added.
  let knownFor = -1;
  let knownFirst: unknown;
  let known: KnownActor[] = [];
  const view = (t: number, vo: ViewOptions) => {
    const recs = feed.records();
    if (recs.length !== knownFor || recs[0] !== knownFirst) {
      known = knownActors(recs);
      knownFor = recs.length;
      knownFirst = recs[0];
    }
    return { ...viewAt(recs, t, vo), known };
  };

  const latest = () => {
    const recs = feed.records();
    return recs.length > 0 ? recs[recs.length - 1]!.t : (meta.first ?? 0);
  };

  const push = (s: { res: ServerResponse; all: boolean; diagrams: number }): void => {
    const count = feed.diagrams().length;
    let chunk = '';
    if (count !== s.diagrams) {
      s.diagrams = count;
      chunk += `event: diagrams\ndata: ${count}\n\n`;
    }
    chunk += `event: view\ndata: ${JSON.stringify(view(latest(), { all: s.all }))}\n\n`;
    write(s, chunk);
  };

  const write = (s: { res: ServerResponse }, chunk: string): void => {
    if (s.res.writableLength > MAX_BUFFERED) {
      // A client that does not read: drop it rather than hold memory for it.
      s.res.destroy();
      return;
    }
    s.res.write(chunk);
  };

  let timer: NodeJS.Timeout | undefined;
  const unsubscribe = feed.subscribe(() => {
    if (timer || streams.size === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      for (const s of streams) push(s);
    }, interval);
    timer.unref();
  });
  const keepAlive = setInterval(() => {
    for (const s of streams) write(s, ': ping\n\n');
  }, 15_000);
  keepAlive.unref();

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'read-only: GET only\n');
    if (!hostAllowed(req)) return send(res, 403, 'text/plain', 'use a loopback address (127.0.0.1, localhost) to reach this view\n');
    const url = new URL(req.url ?? '/', 'http://x');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'text/plain', 'bad path\n');
    }
    const all = url.searchParams.get('all') === '1';
    if (path === '/' || path === '/index.html') return send(res, 200, TYPES['.html']!, index);
    if (path === '/api/meta') return json(res, { ...meta, first: meta.first ?? feed.records()[0]?.t ?? 0, end: meta.end ?? latest() });
    if (path === '/api/diagrams') return json(res, feed.diagrams());
    if (path === '/api/view') {
      const t = Number(url.searchParams.get('t') ?? NaN);
      const events = Number(url.searchParams.get('events') ?? 40);
      return json(res, view(Number.isFinite(t) ? t : latest(), { all, events: Number.isFinite(events) ? Math.min(500, Math.max(0, events)) : 40 }));
    }
    if (path === '/api/trace') return send(res, 200, 'application/x-ndjson', feed.records().map((r) => JSON.stringify(r)).join('\n') + '\n');
    if (path === '/api/stream') {
      if (streams.size >= MAX_STREAMS) return send(res, 503, 'text/plain', 'too many live views open\n');
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      const s = { res, all, diagrams: -1 };
      streams.add(s);
      res.on('close', () => streams.delete(s));
      push(s);
      return;
    }
    const m = /^\/(app\.js|app\.css)$/.exec(path);
    const v = /^\/vendor\/(mermaid|layout-elk)\/(.+)$/.exec(path);
    const file = m ? safeFile(pages, m[1]!) : v ? safeFile(vendor[v[1]!]!, v[2]!) : undefined;
    if (!file) return send(res, 404, 'text/plain', 'not found\n');
    res.writeHead(200, { 'content-type': TYPES[extname(file)]!, 'cache-control': v ? 'public, max-age=86400' : 'no-store', 'x-content-type-options': 'nosniff' });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).on('error', () => res.destroy()).pipe(res);
  };

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) send(res, 500, 'text/plain', `${(e as Error).message}\n`);
      else res.destroy();
    }
  });
  server.maxConnections = 256;
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.listen.port, opts.listen.host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const addr = server.address();
  if (addr && typeof addr === 'object') port = addr.port;
  const address = { host: opts.listen.host, port };
  return {
    url: urlOf('http', address),
    address,
    streams: () => streams.size,
    close: () =>
      new Promise<void>((done) => {
        unsubscribe();
        clearInterval(keepAlive);
        if (timer) clearTimeout(timer);
        for (const s of streams) s.res.destroy();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
