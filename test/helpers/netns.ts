/**
 * Network-namespace lab for system tests (root only).
 *
 *   describe.skipIf(!isRoot)(rootTitle('my system test'), () => { … });   // skips with the reason
 *   const lab = new NetnsLab('kts-d-');            // one lab per test file; names get a per-process tag
 *   const a = await lab.namespace('a');            // "kts-d-<tag>-a", loopback up, IPv6 DAD off
 *   const b = await lab.namespace('b');
 *   await lab.veth({ ns: a, ifname: 'va', addresses: ['198.51.100.1/24'] },
 *                  { ns: b, ifname: 'vb', addresses: ['198.51.100.2/24'] });
 *   const sw = await lab.namespace('sw');          // a "switch" namespace holding a bridge
 *   await lab.bridge(sw, 'br0');
 *   await lab.attach(sw, 'br0', { ns: c, ifname: 'vc', addresses: ['203.0.113.3/24'] });
 *   const r = await lab.exec(a, ['ping', '-c1', '-W1', '198.51.100.2']);   // bounded, never throws
 *   const dump = lab.spawn(b, ['tcpdump', '-l', '-n', '-i', 'vb', 'arp']); // killed by cleanup()
 *   await dump.waitFor(/listening on/, 5000);
 *   await lab.cleanup();                           // in afterAll: kills processes, deletes namespaces
 *
 * Rules it enforces: links are only ever created inside the lab's namespaces (never in the root
 * namespace); every command has a timeout; cleanup() also runs synchronously at process exit and
 * sweeps namespaces left by earlier runs whose process is gone (by the tag in their name).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { processAlive } from '../../adapters/node/daemon/pidfiles.js';

export const isRoot = process.getuid?.() === 0;
export const rootRequiredReason = 'needs root (uid 0) to create network namespaces: run as root (CI does)';
/** A describe() title that carries the skip reason when not root:
 *  `describe.skipIf(!isRoot)(rootTitle('VRRP sockets'), () => …)`. */
export function rootTitle(title: string): string {
  return isRoot ? title : `${title} [skipped: ${rootRequiredReason}]`;
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface ExecOptions {
  timeoutMs?: number;
  input?: string;
  env?: Record<string, string>;
}

/** Run a command (in the root namespace) with a timeout. Never throws; check `code`. */
export function run(argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.resolve({ code: 127, stdout: '', stderr: 'empty argv', timedOut: false });
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 10_000, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024, env: opts.env ? { ...process.env, ...opts.env } : process.env },
      (err, stdout, stderr) => {
        const e = err as (Error & { code?: number | string; killed?: boolean }) | null;
        const timedOut = Boolean(e?.killed);
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : timedOut ? null : 1) : 0, stdout: String(stdout), stderr: String(stderr || (e && !timedOut && typeof e.code !== 'number' ? e.message : '')), timedOut });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Like run(), but throws with the command and its stderr when it fails. */
export async function mustRun(argv: string[], opts: ExecOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} failed (${r.timedOut ? 'timeout' : `exit ${r.code}`}): ${r.stderr.trim()}`);
  return r.stdout;
}

export interface WaitOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  what: string;
}

/** Poll `probe` until it returns something other than undefined/false; bounded by timeoutMs. */
export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, opts: WaitOptions): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${opts.what}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 50));
  }
}

/** One side of a veth pair or a bridge port. */
export interface Endpoint {
  ns: string;
  ifname: string;
  /** CIDR addresses; IPv6 ones are added with nodad so they are usable at once. */
  addresses?: string[];
  mac?: string;
}

/** A process started inside a namespace; output is accumulated. */
export interface LabProcess {
  readonly child: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in the output; rejects after timeoutMs or on exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then SIGKILL after graceMs; resolves with the output once it has exited. */
  stop(graceMs?: number): Promise<string>;
}

/** A line of a process's output and when it was read (Date.now()). */
export interface StampedLine {
  at: number;
  line: string;
}

/** Collects a lab process's stdout and stderr as whole lines, each with the time it arrived. */
export function stampLines(p: LabProcess): StampedLine[] {
  const lines: StampedLine[] = [];
  let partial = '';
  const onData = (d: Buffer): void => {
    const at = Date.now();
    const parts = (partial + d.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) lines.push({ at, line });
  };
  p.child.stdout?.on('data', onData);
  p.child.stderr?.on('data', onData);
  return lines;
}

const NETNS_DIR = '/run/netns';
const ipv6Enabled = existsSync('/proc/sys/net/ipv6');

function listNamespaces(): string[] {
  try {
    return readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
}

/** Kill every process in a namespace, then delete it. Synchronous; for exit handlers and sweeps. */
function destroyNamespaceSync(ns: string): void {
  try {
    const pids = execFileSync('ip', ['netns', 'pids', ns], { timeout: 5000, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    for (const p of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  } catch {
    /* namespace already gone */
  }
  try {
    execFileSync('ip', ['netns', 'del', ns], { timeout: 5000, stdio: 'ignore' });
  } catch {
    /* already gone */
  }
}

export class NetnsLab {
  /** `<prefix><pid in base 36>`: unique per test process, so parallel test files never collide. */
  readonly tag: string;
  private readonly namespaces: string[] = [];
  private readonly processes = new Set<LabProcess>();
  private readonly exitHandler = (): void => this.cleanupSync();

  constructor(readonly prefix: string) {
    if (!/^[a-z0-9-]+$/.test(prefix)) throw new Error(`namespace prefix must be [a-z0-9-]: ${prefix}`);
    this.tag = `${prefix}${process.pid.toString(36)}`;
    NetnsLab.sweep(prefix);
    process.once('exit', this.exitHandler);
  }

  /** Delete namespaces named `<prefix><tag>-…` whose creating process no longer exists. */
  static sweep(prefix: string): string[] {
    const re = new RegExp(`^${prefix.replace(/-/g, '\\-')}([0-9a-z]+)-`);
    const removed: string[] = [];
    for (const ns of listNamespaces()) {
      const m = re.exec(ns);
      if (!m?.[1]) continue;
      const pid = parseInt(m[1], 36);
      if (pid !== process.pid && !processAlive(pid)) {
        destroyNamespaceSync(ns);
        removed.push(ns);
      }
    }
    return removed;
  }

  /** Create namespace `<tag>-<name>` with loopback up; returns its full name. */
  async namespace(name: string): Promise<string> {
    const ns = `${this.tag}-${name}`;
    if (listNamespaces().includes(ns)) destroyNamespaceSync(ns);
    await mustRun(['ip', 'netns', 'add', ns]);
    this.namespaces.push(ns);
    await mustRun(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    // No duplicate address detection: link-local and test addresses are usable at once.
    await mustRun(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
    return ns;
  }

  /** A veth pair between two lab namespaces (created directly inside them), both ends up and
   *  ready (see waitLinkReady). */
  async veth(a: Endpoint, b: Endpoint): Promise<void> {
    this.assertOwned(a.ns);
    this.assertOwned(b.ns);
    await mustRun(['ip', '-n', a.ns, 'link', 'add', a.ifname, 'type', 'veth', 'peer', 'name', b.ifname, 'netns', b.ns]);
    await this.configure(a);
    await this.configure(b);
    await this.waitLinkReady(a.ns, a.ifname);
    await this.waitLinkReady(b.ns, b.ifname);
  }

  /**
   * Wait (bounded) until an interface has carrier (operstate UP) and IPv6 has finished bringing
   * it up: its link-local address exists and the ff00::/8 multicast route is installed. The kernel
   * does this up to a second after `ip link set up` (linkwatch); before that, IPv6 multicast sent
   * to the interface is dropped as "no route".
   */
  async waitLinkReady(ns: string, ifname: string, timeoutMs = 5000): Promise<void> {
    this.assertOwned(ns);
    await waitFor(
      async () => {
        const [link] = await this.ipJson<{ operstate?: string; addr_info?: { family: string; local: string; tentative?: boolean }[] }[]>(ns, ['addr', 'show', 'dev', ifname]);
        if (link?.operstate !== 'UP') return false;
        if (!ipv6Enabled) return true;
        if (!link.addr_info?.some((x) => x.family === 'inet6' && x.local.startsWith('fe80:') && !x.tentative)) return false;
        const routes = await this.ipJson<{ dst: string; dev?: string }[]>(ns, ['-6', 'route', 'show', 'table', 'local', 'dev', ifname]);
        return routes.some((r) => r.dst === 'ff00::/8');
      },
      { timeoutMs, intervalMs: 50, what: `${ifname} in ${ns} to be up with IPv6 ready` },
    );
  }

  /** A bridge inside a lab namespace, up. Multicast snooping is off unless asked for, so
   *  multicast (VRRP adverts) floods to every port at once, like a plain switch. */
  async bridge(ns: string, name: string, opts: { mcastSnooping?: boolean } = {}): Promise<void> {
    this.assertOwned(ns);
    await mustRun(['ip', '-n', ns, 'link', 'add', name, 'type', 'bridge', 'mcast_snooping', opts.mcastSnooping ? '1' : '0']);
    await mustRun(['ip', '-n', ns, 'link', 'set', name, 'up']);
  }

  /** Connect `host` to `bridge` in `bridgeNs` with a veth pair; the bridge side is named `<ifname>-p`
   *  (keep ifname ≤ 13 characters). */
  async attach(bridgeNs: string, bridge: string, host: Endpoint): Promise<void> {
    const port = `${host.ifname}-p`;
    await this.veth({ ns: bridgeNs, ifname: port }, host);
    await mustRun(['ip', '-n', bridgeNs, 'link', 'set', port, 'master', bridge]);
  }

  /** Run a command inside a namespace (`ip netns exec`), bounded by timeoutMs (default 10 s).
   *  Never rejects for a failing command (check `code`); rejects only for a namespace not of this lab. */
  async exec(ns: string, argv: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    this.assertOwned(ns);
    return run(['ip', 'netns', 'exec', ns, ...argv], opts);
  }

  /** `ip -n ns …` as parsed JSON (`-j` is added). */
  async ipJson<T = unknown>(ns: string, args: string[]): Promise<T> {
    this.assertOwned(ns);
    return JSON.parse((await mustRun(['ip', '-j', '-n', ns, ...args])) || '[]') as T;
  }

  /** Start a long-running process inside a namespace; cleanup() stops it. */
  spawn(ns: string, argv: string[], env?: Record<string, string>): LabProcess {
    this.assertOwned(ns);
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
    let text = '';
    const listeners = new Set<() => void>();
    const onData = (d: Buffer): void => {
      text += d.toString();
      for (const l of listeners) l();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.once('exit', () => {
      for (const l of listeners) l();
    });
    const proc: LabProcess = {
      child,
      output: () => text,
      waitFor: (pattern, timeoutMs) =>
        new Promise((resolve, reject) => {
          const check = (): void => {
            const m = text.match(pattern);
            if (m) done(() => resolve(m));
            else if (child.exitCode !== null || child.signalCode !== null)
              done(() => reject(new Error(`${argv[0]} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}; output:\n${text}`)));
          };
          const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} from ${argv[0]}; output:\n${text}`))), timeoutMs);
          const done = (f: () => void): void => {
            clearTimeout(timer);
            listeners.delete(check);
            f();
          };
          listeners.add(check);
          check();
        }),
      stop: async (graceMs = 2000) => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(t);
        }
        this.processes.delete(proc);
        return text;
      },
    };
    this.processes.add(proc);
    return proc;
  }

  /** Stop spawned processes, kill anything else left inside the namespaces, delete them. */
  async cleanup(): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop(1000)));
    this.cleanupSync();
  }

  /** The names of the namespaces this lab created and has not yet deleted. */
  list(): string[] {
    return [...this.namespaces];
  }

  private cleanupSync(): void {
    for (const p of this.processes) p.child.kill('SIGKILL');
    this.processes.clear();
    for (const ns of this.namespaces.splice(0).reverse()) destroyNamespaceSync(ns);
    process.removeListener('exit', this.exitHandler);
  }

  private async configure(e: Endpoint): Promise<void> {
    if (e.mac) await mustRun(['ip', '-n', e.ns, 'link', 'set', e.ifname, 'address', e.mac]);
    for (const a of e.addresses ?? []) {
      await mustRun(['ip', '-n', e.ns, 'addr', 'add', a, 'dev', e.ifname, ...(a.includes(':') ? ['nodad'] : [])]);
    }
    await mustRun(['ip', '-n', e.ns, 'link', 'set', e.ifname, 'up']);
  }

  private assertOwned(ns: string): void {
    if (!this.namespaces.includes(ns)) throw new Error(`namespace ${ns} was not created by this lab (${this.tag})`);
  }
}
