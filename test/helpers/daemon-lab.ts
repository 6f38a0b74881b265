/**
 * A lab of VRRP daemons on one bridge, for system tests (root only). Builds on NetnsLab:
 *
 *   const lab = new DaemonLab('kts-i-');
 *   await lab.setup(['a', 'b'], { observer: true });     // ns "sw" holds br0; hosts a, b (+ obs)
 *   const a = lab.host('a');                              // a.ns, a.ifname ("kia"), a.ipv4, a.ipv6
 *   const d = lab.startOurs(a, confText);                 // keepalived-ts -n -l -D in a's namespace
 *   const k = lab.startKeepalived(b, confText);           // /usr/sbin/keepalived 2.2.7 likewise
 *   await d.proc.waitFor(/\(VI_1\) Entering MASTER STATE/, 20_000);
 *   await lab.vipHolders('198.51.100.100')                // ['a'] — from `ip -j addr`
 *   const garp = lab.watchArp();                          // tcpdump in the observer namespace
 *   await lab.cleanup();
 *
 * Host i (1-based, in setup order) gets 198.51.100.<i>/24 and 2001:db8::<i>/64 on `ki<name>`;
 * the observer gets .250 / ::250. Everything is bounded and removed by cleanup().
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetnsLab, waitFor, type LabProcess } from './netns.js';

export const KEEPALIVED = '/usr/sbin/keepalived';
export const haveKeepalived = existsSync(KEEPALIVED);
const CLI = new URL('../../adapters/node/cli.ts', import.meta.url).pathname;

export interface LabHost {
  name: string;
  ns: string;
  ifname: string;
  ipv4: string;
  ipv6: string;
}

export interface DaemonHandle {
  host: LabHost;
  kind: 'ours' | 'keepalived';
  confPath: string;
  pidFiles: { parent: string; vrrp: string; checker: string };
  proc: LabProcess;
  /** Log output from byte `from` on (default: all). */
  log(from?: number): string;
  /** Pid from a pid file, when present. */
  pid(which: 'parent' | 'vrrp'): number | undefined;
  /** Rewrite the configuration file (for SIGHUP reloads). */
  writeConf(text: string): void;
  /** Signal the parent (or the VRRP child) by pid file. */
  signal(sig: NodeJS.Signals, which?: 'parent' | 'vrrp'): void;
  /** kill -9 of the parent and the VRRP child. */
  kill9(): void;
}

export interface StartOptions {
  /** More daemon flags (`--metrics 9650`, …). */
  args?: string[];
  /** $TMPDIR for the daemon's dumps (default: the lab's directory, shared by every daemon). */
  tmpdir?: string;
  /** false: start without -D (keepalived's detail lines off). */
  detail?: boolean;
}

export interface ArpWatch {
  /** tcpdump output so far. */
  output(): string;
  stop(): Promise<string>;
}

/** The pid in a pid file, or undefined while there is none. */
export function readPid(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export class DaemonLab {
  readonly net: NetnsLab;
  readonly dir: string;
  private readonly hosts = new Map<string, LabHost>();
  private sw = '';
  private observerHost: LabHost | undefined;
  private runs = 0;

  constructor(prefix: string) {
    this.net = new NetnsLab(prefix);
    this.dir = mkdtempSync(join(tmpdir(), `${prefix}lab-`));
  }

  /** Bridge namespace "sw" with br0, one namespace per host attached to it, and (optionally)
   *  an observer host "obs". Extra bridges: `bridges` names more bridges (br1 …); each host gets
   *  one extra link `ki<name><n>` on bridge n with 203.0.113.<n*16+i>/24. */
  async setup(names: string[], opts: { observer?: boolean; bridges?: number } = {}): Promise<void> {
    this.sw = await this.net.namespace('sw');
    await this.net.bridge(this.sw, 'br0');
    for (let n = 1; n <= (opts.bridges ?? 0); n++) await this.net.bridge(this.sw, `br${n}`);
    const all = opts.observer ? [...names, 'obs'] : names;
    for (const [i, name] of all.entries()) {
      const idx = name === 'obs' ? 250 : i + 1;
      const ns = await this.net.namespace(name);
      const host: LabHost = { name, ns, ifname: `ki${name}`, ipv4: `198.51.100.${idx}`, ipv6: `2001:db8::${idx}` };
      await this.net.attach(this.sw, 'br0', { ns, ifname: host.ifname, addresses: [`${host.ipv4}/24`, `${host.ipv6}/64`] });
      if (name === 'obs') this.observerHost = host;
      else {
        this.hosts.set(name, host);
        for (let n = 1; n <= (opts.bridges ?? 0); n++) {
          await this.net.attach(this.sw, `br${n}`, { ns, ifname: `ki${name}${n}`, addresses: [`203.0.113.${n * 16 + idx}/24`] });
        }
      }
    }
  }

  host(name: string): LabHost {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no lab host ${name}`);
    return h;
  }

  /** The namespace holding the bridges (br0, br1 …; host ports are `<ifname>-p`). */
  get switchNs(): string {
    return this.sw;
  }

  get observer(): LabHost {
    if (!this.observerHost) throw new Error('lab has no observer (setup(…, { observer: true }))');
    return this.observerHost;
  }

  /** Start keepalived-ts (tsx, the real CLI) in the host's namespace with `-n -l -D` and more flags (an array, or `opts.args`; `detail: false`: without -D). */
  startOurs(host: LabHost, conf: string, opts: string[] | StartOptions = {}): DaemonHandle {
    return this.start(host, conf, 'ours', undefined, Array.isArray(opts) ? { args: opts } : opts);
  }

  /** Start Debian's keepalived 2.2.7 in the host's namespace with `-n -l -D -P` (+ `opts.args`; `detail: false`: without -D). */
  startKeepalived(host: LabHost, conf: string, opts: StartOptions = {}): DaemonHandle {
    return this.start(host, conf, 'keepalived', undefined, opts);
  }

  /** Restart a daemon with the same files (the old process must have exited or been killed). */
  restart(d: DaemonHandle): DaemonHandle {
    return this.start(d.host, readFileSync(d.confPath, 'utf8'), d.kind, d.confPath);
  }

  /** Names of the hosts whose interfaces hold `address` (IPv4 or IPv6, no prefix length). */
  async vipHolders(address: string): Promise<string[]> {
    const out: string[] = [];
    for (const h of this.hosts.values()) {
      const links = await this.net.ipJson<Array<{ addr_info?: Array<{ local: string }> }>>(h.ns, ['addr', 'show']);
      if (links.some((l) => l.addr_info?.some((x) => x.local === address))) out.push(h.name);
    }
    return out;
  }

  /** Wait (bounded) until exactly `expected` hold `address`; returns the elapsed ms. */
  async waitVip(address: string, expected: string[], timeoutMs: number): Promise<number> {
    const t0 = Date.now();
    let last: string[] = [];
    await waitFor(
      async () => {
        last = await this.vipHolders(address);
        return last.length === expected.length && expected.every((e) => last.includes(e));
      },
      { timeoutMs, intervalMs: 50, what: `${address} on [${expected.join(', ')}] (now on [${last.join(', ')}])` },
    ).catch((e: Error) => {
      throw new Error(`${e.message}; now on [${last.join(', ')}]`);
    });
    return Date.now() - t0;
  }

  /** tcpdump of ARP (and ICMPv6 neighbour adverts) on the observer's link, started and listening. */
  async watchArp(): Promise<ArpWatch> {
    const obs = this.observer;
    const p = this.net.spawn(obs.ns, ['timeout', '120', 'tcpdump', '--immediate-mode', '-l', '-n', '-e', '-i', obs.ifname, 'arp or (icmp6 and ip6[40] == 136)']);
    await p.waitFor(/listening on/, 10_000);
    return { output: p.output, stop: () => p.stop(1000) };
  }

  async cleanup(): Promise<void> {
    await this.net.cleanup();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private start(host: LabHost, conf: string, kind: DaemonHandle['kind'], confPath?: string, opts: StartOptions = {}): DaemonHandle {
    const base = join(this.dir, `${host.name}-${kind}`);
    const path = confPath ?? `${base}.conf`;
    writeFileSync(path, conf);
    const pidFiles = { parent: `${base}.pid`, vrrp: `${base}-vrrp.pid`, checker: `${base}-checkers.pid` };
    const flags = ['-n', '-l', ...(opts.detail === false ? [] : ['-D']), '-f', path, '-p', pidFiles.parent, '-r', pidFiles.vrrp, '-c', pidFiles.checker];
    this.runs++;
    const extra = opts.args ?? [];
    const argv = kind === 'ours' ? [process.execPath, '--import', 'tsx', CLI, ...flags, ...extra] : [KEEPALIVED, ...flags, '-P', ...extra];
    const proc = this.net.spawn(host.ns, argv, { TMPDIR: opts.tmpdir ?? this.dir });
    const pid = (which: 'parent' | 'vrrp'): number | undefined => readPid(pidFiles[which]);
    const signal = (sig: NodeJS.Signals, which: 'parent' | 'vrrp' = 'parent'): void => {
      const p = pid(which);
      if (!p) throw new Error(`${host.name}/${kind}: no ${which} pid in ${pidFiles[which]}`);
      process.kill(p, sig);
    };
    return {
      host,
      kind,
      confPath: path,
      pidFiles,
      proc,
      log: (from = 0) => proc.output().slice(from),
      pid,
      writeConf: (text) => writeFileSync(path, text),
      signal,
      kill9: () => {
        for (const which of ['vrrp', 'parent'] as const) {
          const p = pid(which);
          try {
            if (p) process.kill(p, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        proc.child.kill('SIGKILL');
      },
    };
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
