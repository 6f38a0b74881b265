/**
 * The daemon parent's side of `--web` and `--inspect`: the web server over a live, bounded record
 * log (sim/view/feed.ts RecordLog), fed by the children over IPC (`feed` and `diagram` messages,
 * adapters/node/daemon/ipc.ts) or, with --single-process, by the in-process hosts; plus the
 * Stately relay when we host it. Each child's start and exit is a `daemon` record, so the page
 * greys out the actors of a child that died and shows them again once it is respawned.
 *
 * Records carry the child's role, and arrive in batches from two processes: a record older than
 * the last one kept is stamped with that time (at most one batch interval, 50 ms, late), since
 * the log is kept in time order.
 */
import type { ChildMessage } from '../daemon/ipc.js';
import type { MachineDiagram } from '../../../sim/view/diagram.js';
import { RecordLog } from '../../../sim/view/feed.js';
import type { TraceRecord } from '../../../sim/view/records.js';
import type { ListenAddress } from '../listen-address.js';
import { startInspectRelay, type InspectRelay } from './inspect-relay.js';
import type { InspectTarget } from './inspect-target.js';
import type { ChildWatchOptions, WatchSink } from './runtime-watch.js';
import { startWebServer, type WebServer } from './server.js';

export interface DaemonWatchOptions {
  /** Host name of the records (the router_id, as the children use). */
  name: string;
  web?: ListenAddress;
  inspect?: InspectTarget;
  /** Records kept for the page's slider (default 20 000). */
  limit?: number;
  now?: () => number;
}

export class DaemonWatch {
  private readonly log: RecordLog;
  private readonly now: () => number;
  private web: WebServer | undefined;
  private relay: InspectRelay | undefined;
  private inspectUrl: string | undefined;
  private lastT = 0;

  constructor(private readonly opts: DaemonWatchOptions) {
    this.log = new RecordLog(opts.limit);
    this.now = opts.now ?? (() => Date.now() / 1000);
  }

  /** Bind the web server and the relay; rejects (with both closed) when either cannot listen. */
  async start(): Promise<string[]> {
    const lines: string[] = [];
    try {
      const target = this.opts.inspect;
      if (target && 'relay' in target) {
        this.relay = await startInspectRelay(target.relay);
        this.inspectUrl = this.relay.wsUrl;
        lines.push(`Stately inspector: open ${this.relay.pageUrl} in a browser that can reach stately.ai`);
      } else if (target) {
        this.inspectUrl = target.url;
        lines.push(`Stately inspector: sending to ${target.url}`);
      }
      if (this.opts.web) {
        this.web = await startWebServer({ listen: this.opts.web, feed: this.log, meta: { mode: 'daemon', title: this.opts.name } });
        lines.push(`Web view on ${this.web.url}`);
      }
    } catch (e) {
      await this.close();
      throw e;
    }
    return lines;
  }

  /** What each runtime is asked to watch (ChildStartOptions.watch). */
  childOptions(): ChildWatchOptions {
    return { feed: this.opts.web !== undefined, ...(this.inspectUrl ? { inspectUrl: this.inspectUrl } : {}) };
  }

  /** Records from one runtime (a child's `feed` message, or an in-process host). */
  records(role: string, records: readonly TraceRecord[]): void {
    for (const r of records) this.push({ ...r, role });
  }

  diagram(d: MachineDiagram): void {
    this.log.addDiagram(d);
  }

  /** An in-process host's watch (RoleHostOptions.watch, --single-process): its start is now. */
  hostWatch(role: string): { options: ChildWatchOptions; sink: WatchSink } {
    this.lifecycle(role, 'start', `pid ${process.pid}, in-process`);
    return { options: this.childOptions(), sink: { record: (r) => this.records(role, [r]), diagram: (d) => this.diagram(d) } };
  }

  /** A child's supervisor hooks (SupervisorOptions.onChildMessage and onLifecycle). */
  supervisorHooks(role: string): { onChildMessage: (m: ChildMessage) => void; onLifecycle: (what: 'start' | 'stopped' | 'crashed', detail?: string) => void } {
    return {
      onChildMessage: (m) => {
        if (m.type === 'feed') this.records(role, m.records);
        else if (m.type === 'diagram') this.diagram(m.diagram);
      },
      onLifecycle: (what, detail) => this.lifecycle(role, what, detail),
    };
  }

  /** A child was forked, or exited: its actors are shown as gone until the next start. */
  lifecycle(role: string, what: 'start' | 'stopped' | 'crashed', detail?: string): void {
    this.push({ t: this.now(), type: 'daemon', host: this.opts.name, what, role, ...(detail ? { detail } : {}) });
  }

  async close(): Promise<void> {
    const web = this.web;
    const relay = this.relay;
    this.web = undefined;
    this.relay = undefined;
    await Promise.all([web?.close(), relay?.close()]);
  }

  private push(r: TraceRecord): void {
    if (r.t < this.lastT) r = { ...r, t: this.lastT };
    this.lastT = r.t;
    this.log.push(r);
  }
}
