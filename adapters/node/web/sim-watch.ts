/**
 * `sim --web` and `sim --inspect`: what a run needs to be watched. Before the run: the Stately
 * relay (when we host it) and one inspector per daemon start. During the run: every record and
 * each machine's diagram. After it: the web view over the finished run, until the caller is done.
 */
import type { AnyStateMachine } from 'xstate';
import type { RunOptions } from '../../../sim/run.js';
import { machineDiagram, type MachineDiagram } from '../../../sim/view/diagram.js';
import { fixedFeed } from '../../../sim/view/feed.js';
import { simRecord, type TraceRecord } from '../../../sim/view/records.js';
import type { ListenAddress } from '../listen-address.js';
import { startInspectRelay, type InspectRelay } from './inspect-relay.js';
import { startWebServer, type WebServer } from './server.js';
import type { InspectTarget } from './inspect-target.js';
import { connectStately, type StatelyConnection } from './stately.js';

export interface SimWatchOptions {
  web?: ListenAddress;
  inspect?: InspectTarget;
}

export class SimWatch {
  private relay: InspectRelay | undefined;
  private web: WebServer | undefined;
  private readonly connections: StatelyConnection[] = [];
  private readonly records: TraceRecord[] = [];
  private readonly diagrams = new Map<string, MachineDiagram>();
  private readonly starts = new Map<string, number>();
  private inspectUrl: string | undefined;

  constructor(private readonly opts: SimWatchOptions) {}

  /** Start the relay we host, if any (before the run, so the run's inspectors can reach it). */
  async prepare(): Promise<void> {
    const target = this.opts.inspect;
    if (!target) return;
    if ('relay' in target) {
      this.relay = await startInspectRelay(target.relay);
      this.inspectUrl = this.relay.wsUrl;
    } else this.inspectUrl = target.url;
  }

  /** What runScenario needs for this watch. */
  runOptions(): Partial<RunOptions> {
    const out: Partial<RunOptions> = {};
    if (this.opts.web) {
      out.actors = true;
      out.listen = (e) => this.records.push(simRecord(e));
      out.onMachine = (m: AnyStateMachine) => {
        if (!this.diagrams.has(m.id)) this.diagrams.set(m.id, machineDiagram(m));
      };
    }
    const url = this.inspectUrl;
    if (url) {
      out.inspect = (host) => {
        // Each daemon start is an actor system of its own, numbered from x:0 again.
        const n = (this.starts.get(host) ?? 0) + 1;
        this.starts.set(host, n);
        const c = connectStately(url, n === 1 ? host : `${host}.${n}`, 1_000_000);
        this.connections.push(c);
        return c.inspect;
      };
    }
    return out;
  }

  /** Serve the finished run; returns the lines that say where to look. */
  async serve(title: string, endSeconds: number): Promise<string[]> {
    const lines: string[] = [];
    if (this.opts.web) {
      this.web = await startWebServer({ listen: this.opts.web, feed: fixedFeed(this.records, [...this.diagrams.values()]), meta: { mode: 'sim', title, first: 0, end: endSeconds } });
      lines.push(`web view: ${this.web.url}`);
    }
    if (this.relay) lines.push(`Stately inspector: open ${this.relay.pageUrl} in a browser that can reach stately.ai (inspectors send to ${this.relay.wsUrl})`);
    else if (this.inspectUrl) lines.push(`Stately inspector: events sent to ${this.inspectUrl}`);
    return lines;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.stop();
    await Promise.all([this.web?.close(), this.relay?.close()]);
  }
}
