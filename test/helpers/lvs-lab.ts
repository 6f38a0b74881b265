/**
 * A load-balancing lab for system tests of the real daemon (root only): a client, one or two
 * directors running keepalived-ts (the real CLI, as an operator starts it), three real HTTP servers.
 *
 *   client cl  203.0.113.2 (+ .101-.112 as extra client addresses)
 *        │ bridge br0 (ns sw)                   VIP 203.0.113.10 (VRRP, on the directors' `lf`)
 *   directors d1 203.0.113.3, d2 203.0.113.4    (their `lf` and `lb` links)
 *        │ bridge br1 (ns sw)                   gateway VIP 198.51.100.254 (same VRRP instance, `lb`)
 *   d1 198.51.100.2, d2 198.51.100.3
 *   servers s1 .21, s2 .22, s3 .23 (:8080, answer their own name; default route via .254)
 *
 *   const lab = new LvsLab('kts-lt-');
 *   await lab.setup(['d1']);                   // namespaces, links, servers listening
 *   const d = lab.startDaemon('d1', conf);     // keepalived-ts -n -l -D -f … in d1's namespace
 *   await lab.load({ url, count: 1000 });      // lb-client.mjs in the client namespace
 *   const s = await lab.stream(url);           // requests until s.stop(); timestamped results
 *   await lab.killServer('s2'); lab.startServer('s2');
 *   await lab.cleanup();
 *
 * Everything runs in namespaces the lab creates; processes are ended by pid; cleanup() removes all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun, NetnsLab, waitFor, type LabProcess } from './netns.js';
import { readPid } from './daemon-lab.js';

const here = dirname(fileURLToPath(import.meta.url));
const CLI = join(here, '../../adapters/node/cli.ts');
const CLIENT = join(here, 'lb-client.mjs');
const SERVER = join(here, 'name-server.mjs');

export const VIP = '203.0.113.10';
export const GW_VIP = '198.51.100.254';
export const SOURCES = Array.from({ length: 12 }, (_, i) => `203.0.113.${101 + i}`);
export const SERVERS = ['s1', 's2', 's3'] as const;
export type ServerName = (typeof SERVERS)[number];
export const serverIp = (s: string): string => `198.51.100.${20 + Number(s.slice(1))}`;
export const FRONT_IF = 'lf';
export const BACK_IF = 'lb';

const CHECK_TIMING = 'connect_timeout 1\n      retry 1\n      delay_before_retry 1';
const httpGet = `HTTP_GET {\n      url {\n        path /\n        status_code 200\n      }\n      ${CHECK_TIMING}\n    }`;
const tcpCheck = `TCP_CHECK {\n      ${CHECK_TIMING}\n    }`;

function virtualServer(port: number, sched: string, checker: string, weights: number[] = [1, 1, 1], extra = ''): string {
  const rs = SERVERS.map((s, i) => `  real_server ${serverIp(s)} 8080 {\n    weight ${weights[i]}\n    ${checker}\n  }\n`).join('');
  return `virtual_server ${VIP} ${port} {\n  delay_loop 1\n  lb_algo ${sched}\n  lb_kind NAT\n  protocol TCP\n${extra}${rs}}\n`;
}

/** A director's configuration: VRRP instance VI_LB (both VIPs), virtual servers :80 rr HTTP_GET,
 *  :81 wrr TCP_CHECK, :82 sh TCP_CHECK over s1-s3, checks at delay_loop 1, connect_timeout 1,
 *  retry 1, delay_before_retry 1; `haSuspend` puts ha_suspend on :82. */
export function directorConf(o: { routerId: string; priority: number; backend: string; wrrWeights?: number[]; vrid?: number; haSuspend?: boolean }): string {
  return `global_defs {
  router_id ${o.routerId}
  lvs_backend ${o.backend}
}
vrrp_instance VI_LB {
  state BACKUP
  interface ${FRONT_IF}
  virtual_router_id ${o.vrid ?? 51}
  priority ${o.priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24 dev ${FRONT_IF}
    ${GW_VIP}/24 dev ${BACK_IF}
  }
}
${virtualServer(80, 'rr', httpGet)}${virtualServer(81, 'wrr', tcpCheck, o.wrrWeights ?? [1, 2, 3])}${virtualServer(82, 'sh', tcpCheck, [1, 1, 1], o.haSuspend ? '  ha_suspend\n' : '')}`;
}

export interface LoadResult {
  counts: Record<string, number>;
  perSource: Record<string, Record<string, number>>;
  failures: number;
  errors: Record<string, number>;
}

/** One request of a stream: wall-clock start and end (ms), and who answered or `!ERROR`. */
export type StreamEntry = [number, number, string];

export interface Stream {
  /** Ask the client to stop and return every request it made. */
  stop(): Promise<StreamEntry[]>;
}

export interface Daemon {
  ns: string;
  confPath: string;
  proc: LabProcess;
  log(from?: number): string;
  pid(which: 'parent' | 'vrrp' | 'checker'): number | undefined;
  writeConf(text: string): void;
  signal(sig: NodeJS.Signals): void;
  /** SIGKILL to the parent, the VRRP child and the checker child, by their pids. */
  kill9(): void;
  /** When (Date.now()) the output first matched `pattern`, polling every 20 ms. */
  when(pattern: RegExp, timeoutMs: number, from?: number): Promise<number>;
}

export class LvsLab {
  readonly net: NetnsLab;
  readonly dir: string;
  readonly ns = new Map<string, string>();
  private readonly servers = new Map<string, LabProcess>();
  private streams = 0;
  private readonly daemons: Array<{ name: string; proc: LabProcess }> = [];

  constructor(prefix: string) {
    this.net = new NetnsLab(prefix);
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}lvs-`));
  }

  nsOf(name: string): string {
    const ns = this.ns.get(name);
    if (!ns) throw new Error(`no lab namespace ${name}`);
    return ns;
  }

  async setup(directors: string[]): Promise<void> {
    const sw = await this.net.namespace('sw');
    this.ns.set('sw', sw);
    await this.net.bridge(sw, 'br0');
    await this.net.bridge(sw, 'br1');
    const cl = await this.net.namespace('cl');
    this.ns.set('cl', cl);
    await this.net.attach(sw, 'br0', { ns: cl, ifname: 'cf', addresses: ['203.0.113.2/24', ...SOURCES.map((a) => `${a}/24`)] });
    for (const [i, d] of directors.entries()) {
      const ns = await this.net.namespace(d);
      this.ns.set(d, ns);
      // Named in the director, then renamed to the shared names (the bridge ports must differ).
      await this.net.attach(sw, 'br0', { ns, ifname: `${d}f`, addresses: [`203.0.113.${3 + i}/24`] });
      await this.net.attach(sw, 'br1', { ns, ifname: `${d}b`, addresses: [`198.51.100.${2 + i}/24`] });
      for (const [from, to] of [[`${d}f`, FRONT_IF], [`${d}b`, BACK_IF]] as const) {
        await mustRun(['ip', '-n', ns, 'link', 'set', from, 'down']);
        await mustRun(['ip', '-n', ns, 'link', 'set', from, 'name', to]);
        await mustRun(['ip', '-n', ns, 'link', 'set', to, 'up']);
        await this.net.waitLinkReady(ns, to);
      }
      await mustRun(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    }
    for (const s of SERVERS) {
      const ns = await this.net.namespace(s);
      this.ns.set(s, ns);
      await this.net.attach(sw, 'br1', { ns, ifname: `${s}e`, addresses: [`${serverIp(s)}/24`] });
      await mustRun(['ip', '-n', ns, 'route', 'add', 'default', 'via', GW_VIP]);
      // Counts connection attempts from clients (not the checkers' from the directors).
      await mustRun(['ip', 'netns', 'exec', ns, 'nft', 'add table ip lab; add chain ip lab in { type filter hook input priority 0; }; add rule ip lab in ip saddr 203.0.113.0/24 tcp dport 8080 tcp flags syn counter']);
    }
    await Promise.all(SERVERS.map((s) => this.startServer(s)));
  }

  /** Start (or restart) a real server's HTTP process; resolves once it listens. */
  async startServer(s: string): Promise<void> {
    const p = this.net.spawn(this.nsOf(s), [process.execPath, SERVER, s, '8080']);
    this.servers.set(s, p);
    await p.waitFor(/listening/, 10_000);
  }

  /** SIGKILL the real server's process (by pid); resolves once it has exited. */
  async killServer(s: string): Promise<void> {
    const p = this.servers.get(s);
    if (!p) throw new Error(`server ${s} not running`);
    const gone = new Promise<void>((r) => (p.child.exitCode !== null || p.child.signalCode !== null ? r() : p.child.once('exit', () => r())));
    // The child is `ip netns exec … node`: ip execs node, so the pid is node's.
    process.kill(p.child.pid!, 'SIGKILL');
    await gone;
    await p.stop();
    this.servers.delete(s);
  }

  /** Client SYNs that reached the server's namespace so far. */
  async synCount(s: string): Promise<number> {
    const out = await mustRun(['ip', 'netns', 'exec', this.nsOf(s), 'nft', 'list', 'chain', 'ip', 'lab', 'in']);
    return Number(/packets (\d+)/.exec(out)?.[1] ?? NaN);
  }

  async load(opts: Record<string, unknown>): Promise<LoadResult> {
    const r = await this.net.exec(this.nsOf('cl'), [process.execPath, CLIENT, JSON.stringify({ concurrency: 4, timeoutMs: 2000, ...opts })], { timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`client failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as LoadResult;
  }

  async stream(url: string, opts: Record<string, unknown> = {}): Promise<Stream> {
    const stopFile = join(this.dir, `stop-${++this.streams}`);
    const p = this.net.spawn(this.nsOf('cl'), [process.execPath, CLIENT, JSON.stringify({ url, stream: true, stopFile, maxMs: 120_000, timeoutMs: 1000, concurrency: 2, paceMs: 10, ...opts })]);
    await p.waitFor(/streaming/, 10_000);
    return {
      stop: async () => {
        writeFileSync(stopFile, '');
        const m = await p.waitFor(/\{"stream".*\}/, 15_000);
        await p.stop();
        return (JSON.parse(m[0]) as { stream: StreamEntry[] }).stream;
      },
    };
  }

  /** Start keepalived-ts in a director's namespace with `-n -l -D` and its own pid files. */
  startDaemon(name: string, conf: string): Daemon {
    const ns = this.nsOf(name);
    const base = join(this.dir, name);
    const confPath = `${base}.conf`;
    writeFileSync(confPath, conf);
    const pidFiles = { parent: `${base}.pid`, vrrp: `${base}-vrrp.pid`, checker: `${base}-checkers.pid` };
    const argv = [process.execPath, '--import', 'tsx', CLI, '-n', '-l', '-D', '-f', confPath, '-p', pidFiles.parent, '-r', pidFiles.vrrp, '-c', pidFiles.checker];
    const proc = this.net.spawn(ns, argv, { TMPDIR: this.dir });
    this.daemons.push({ name, proc });
    const pid = (which: keyof typeof pidFiles): number | undefined => readPid(pidFiles[which]);
    return {
      ns,
      confPath,
      proc,
      log: (from = 0) => proc.output().slice(from),
      pid,
      writeConf: (text) => writeFileSync(confPath, text),
      signal: (sig) => {
        const p = pid('parent');
        if (!p) throw new Error(`${name}: no parent pid in ${pidFiles.parent}`);
        process.kill(p, sig);
      },
      kill9: () => {
        for (const which of ['parent', 'vrrp', 'checker'] as const) {
          const p = pid(which);
          try {
            if (p) process.kill(p, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      },
      when: async (pattern, timeoutMs, from = 0) => {
        await waitFor(() => pattern.test(proc.output().slice(from)), { timeoutMs, intervalMs: 20, what: `${pattern} from ${name}; it said:\n${proc.output().slice(from)}` });
        return Date.now();
      },
    };
  }

  /** The lab namespaces whose interfaces hold `address`. */
  async holders(address: string, names: string[]): Promise<string[]> {
    const out: string[] = [];
    for (const n of names) {
      const links = await this.net.ipJson<Array<{ addr_info?: Array<{ local: string }> }>>(this.nsOf(n), ['addr', 'show']);
      if (links.some((l) => l.addr_info?.some((x) => x.local === address))) out.push(n);
    }
    return out;
  }

  async nft(name: string, ...args: string[]): Promise<string> {
    return (await this.net.exec(this.nsOf(name), ['nft', ...args])).stdout;
  }

  /** Stops everything and removes the namespaces. With KTS_LVS_LOGS=DIR set, each daemon's output
   *  is kept there as <lab tag>-<director>-<n>.log (for reading after a run). */
  async cleanup(): Promise<void> {
    await this.net.cleanup();
    const keep = process.env.KTS_LVS_LOGS;
    if (keep) this.daemons.forEach((d, i) => writeFileSync(join(keep, `${this.net.tag}-${d.name}-${i}.log`), d.proc.output()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A stream's requests split around [from, to): counts per answer outside, failures inside/outside. */
export function splitStream(stream: StreamEntry[], from: number, to: number) {
  const before = stream.filter((e) => e[1] < from);
  const inside = stream.filter((e) => e[1] >= from && e[0] < to);
  const after = stream.filter((e) => e[0] >= to);
  const failed = (xs: StreamEntry[]) => xs.filter((e) => e[2].startsWith('!'));
  const tally = (xs: StreamEntry[]) => xs.reduce<Record<string, number>>((m, e) => ((m[e[2]] = (m[e[2]] ?? 0) + 1), m), {});
  return { before, inside, after, failedBefore: failed(before), failedInside: failed(inside), failedAfter: failed(after), tally };
}
