/**
 * The daemon's HTTP endpoint for Prometheus (parent process), off unless `--metrics [ADDR:]PORT`
 * or `keepalived_ts_metrics` asks for it; a port alone listens on 127.0.0.1 only.
 *
 *   GET /metrics   the metrics (metrics.ts), gathered from the children at each scrape
 *   GET /          a line saying where the metrics are
 *   anything else  404; methods other than GET and HEAD get 405
 *
 * Bounded like the control socket: a few connections, short header and request timeouts, no
 * request body read. A scrape whose children do not answer in time still gets an answer (with
 * keepalived_up 0).
 */
import { createServer, type Server } from 'node:http';
import type { Logger } from '../../../actors/ports.js';
import { listenText, type ListenAddress } from '../../../config/listen.js';
import { METRICS_CONTENT_TYPE, renderMetrics } from './metrics.js';
import type { DaemonStatus } from './status.js';

export interface MetricsServer {
  readonly listen: ListenAddress;
  close(): void;
}

export async function startMetricsServer(listen: ListenAddress, status: () => Promise<DaemonStatus>, log: Logger): Promise<MetricsServer | { error: string }> {
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('only GET and HEAD\n');
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('keepalived-ts: metrics at /metrics\n');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: metrics at /metrics\n');
      return;
    }
    try {
      const text = await renderMetrics(await status());
      res.writeHead(200, { 'content-type': METRICS_CONTENT_TYPE });
      res.end(req.method === 'HEAD' ? undefined : text);
    } catch (e) {
      log.log('error', `metrics: ${(e as Error).message}`);
      res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed; see the daemon log\n');
    }
  });
  server.maxConnections = 16;
  server.headersTimeout = 5000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5000;
  const failed = await new Promise<string | undefined>((resolve) => {
    server.once('error', (e) => resolve(e.message));
    server.listen(listen.port, listen.host, () => resolve(undefined));
  });
  if (failed !== undefined) return { error: `cannot serve metrics on ${listenText(listen)}: ${failed}` };
  server.on('error', (e) => log.log('warning', `metrics ${listenText(listen)}: ${e.message}`));
  server.on('clientError', (_e, socket) => socket.destroy());
  return {
    listen,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}
