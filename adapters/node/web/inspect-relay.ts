/**
 * The local end of `--inspect [ADDR:]PORT`: one port (loopback unless told otherwise) that
 *  - takes WebSocket connections: every message one client sends (the daemon's or the
 *    simulator's inspectors, @statelyai/inspect's WebSocket inspector) goes to every other
 *    client, and the last `keep` messages are replayed to each new one;
 *  - serves a page (GET /) that embeds Stately's inspector (https://stately.ai/inspect) and
 *    hands it each message with postMessage, once the inspector says it is ready.
 * This is the relay @statelyai/inspect/server describes, bound to the address we are given (its
 * own listens on every interface and opens a browser).
 */
import { createServer, type IncomingMessage } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { isLoopback, urlOf, type ListenAddress } from '../listen-address.js';

export const STATELY_INSPECTOR_URL = 'https://stately.ai/inspect';

export interface InspectRelay {
  /** Where inspectors send (ws://…/). */
  wsUrl: string;
  /** The page to open in a browser that can reach stately.ai. */
  pageUrl: string;
  address: ListenAddress;
  /** Messages relayed so far. */
  count(): number;
  close(): Promise<void>;
}

function bridgePage(inspectorUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>keepalived-ts in Stately's inspector</title>
<style>html, body { height: 100%; margin: 0; } iframe { border: 0; width: 100%; height: 100%; } #note { position: fixed; bottom: 0; right: 0; font: 12px sans-serif; background: #fffde7; padding: 2px 8px; }</style>
</head>
<body>
<iframe id="inspector" src="${inspectorUrl}" title="Stately inspector"></iframe>
<div id="note">keepalived-ts relay: <span id="count">0</span> events</div>
<script>
  // Events wait until the inspector in the frame says it is ready, then go to it in order.
  const frame = document.getElementById('inspector');
  const waiting = [];
  let ready = false;
  window.ktsRelayed = 0;
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === '@statelyai.connected') {
      ready = true;
      for (const m of waiting.splice(0)) frame.contentWindow.postMessage(m, '*');
    }
  });
  const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/');
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    window.ktsRelayed++;
    document.getElementById('count').textContent = String(window.ktsRelayed);
    if (ready) frame.contentWindow.postMessage(m, '*');
    else waiting.push(m);
  };
</script>
</body>
</html>
`;
}

export async function startInspectRelay(listen: ListenAddress, opts: { keep?: number; inspectorUrl?: string } = {}): Promise<InspectRelay> {
  const keep = opts.keep ?? 20_000;
  const page = bridgePage(opts.inspectorUrl ?? STATELY_INSPECTOR_URL);
  const loopback = isLoopback(listen.host);
  const hostAllowed = (req: IncomingMessage) => {
    if (!loopback) return true;
    const h = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    return h === 'localhost' || h === '[::1]' || isLoopback(h);
  };
  const http = createServer((req, res) => {
    if (req.method !== 'GET' || !hostAllowed(req)) {
      res.writeHead(req.method !== 'GET' ? 405 : 403, { 'content-type': 'text/plain' }).end('no\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
  });
  http.headersTimeout = 10_000;
  const wss = new WebSocketServer({
    server: http,
    maxPayload: 4 << 20,
    // A browser page elsewhere must not join a loopback relay (the inspectors send no Origin).
    verifyClient: ({ req }: { req: IncomingMessage }) => hostAllowed(req),
  });
  const buffer: string[] = [];
  let relayed = 0;
  wss.on('connection', (ws) => {
    ws.on('error', () => ws.terminate());
    for (const m of buffer) ws.send(m);
    ws.on('message', (data, binary) => {
      if (binary) return;
      const m = data.toString();
      relayed++;
      buffer.push(m);
      if (buffer.length > keep * 1.25) buffer.splice(0, buffer.length - keep);
      for (const c of wss.clients) {
        // A client that does not read is dropped rather than buffered without end.
        if (c !== ws && c.readyState === WebSocket.OPEN) {
          if (c.bufferedAmount > 8 << 20) c.terminate();
          else c.send(m);
        }
      }
    });
  });
  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(listen.port, listen.host, () => {
      http.off('error', fail);
      ok();
    });
  });
  const a = http.address();
  const address = { host: listen.host, port: a && typeof a === 'object' ? a.port : listen.port };
  return {
    wsUrl: urlOf('ws', address),
    pageUrl: urlOf('http', address),
    address,
    count: () => relayed,
    close: () =>
      new Promise<void>((done) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        http.close(() => done());
        http.closeAllConnections();
      }),
  };
}
