/**
 * Supervises one child process (VRRP or health checker), keepalived's parent/watchdog role:
 *  - forks the child entry with node's IPC channel and hands it the model ('start');
 *  - sends a hello every `helloIntervalMs` (5 s); a child that leaves `helloMissLimit` hellos
 *    unanswered (its event loop is stuck) is killed with SIGKILL and respawned. Until a child
 *    has answered its first hello (it is still loading), `startupTimeoutMs` applies instead;
 *  - respawns a child that dies, rate-limited by backoff.ts (1 s → 60 s), or reports a fatal
 *    condition (child exit code CHILD_EXIT_FATAL, or -R/--dont-respawn) to the parent;
 *  - writes and removes the child's pid file (/run/vrrp.pid, /run/checkers.pid);
 *  - stop(): asks the child to stop (it runs runtime.stop(): priority-0 adverts, VIPs removed),
 *    waits for it to exit, and kills it after `stopTimeoutMs`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../../actors/ports.js';
import { nextRespawnDelayMs, type BackoffPolicy } from './backoff.js';
import { CHILD_EXIT_FATAL, CHILD_LABEL, isChildMessage, type ChildMessage, type ChildRole, type ParentMessage } from './ipc.js';
import type { ChildStatus } from './status.js';
import { removePidFile, writePidFile } from './pidfiles.js';

export interface SupervisorOptions {
  role: ChildRole;
  /** Module the child runs (adapters/node/daemon/child-main; a test double in tests). */
  entry: string;
  execArgv: string[];
  /** The child's environment, read at each fork (child-node-flags.ts childEnv); absent or
   *  undefined: the parent's. */
  env?: () => NodeJS.ProcessEnv | undefined;
  /** The 'start' message for each (re)spawn: always the currently active model. */
  startMessage: () => Extract<ParentMessage, { type: 'start' }>;
  log: Logger;
  pidFile?: string;
  respawn: boolean;
  helloIntervalMs: number;
  helloMissLimit: number;
  /** How long a new child may take to answer its first hello. */
  startupTimeoutMs: number;
  backoff: BackoffPolicy;
  stopTimeoutMs: number;
  /** The child cannot be kept running: the parent must shut the daemon down. */
  onFatal: (reason: string) => void;
  /** Messages the supervisor does not handle itself (the --web feed). */
  onChildMessage?: (m: ChildMessage) => void;
  /** A child was forked, or exited (stopped when asked to, crashed otherwise). */
  onLifecycle?: (what: 'start' | 'stopped' | 'crashed', detail?: string) => void;

  /** A child exited when it was not asked to stop (for the journal). */
  onExit?: (pid: number, code: number | null, signal: NodeJS.Signals | null) => void;
}

export class ChildSupervisor {
  private child: ChildProcess | undefined;
  private childPid: number | undefined;
  private startedAt = 0;
  private helloTimer: NodeJS.Timeout | undefined;
  private respawnTimer: NodeJS.Timeout | undefined;
  private helloSeq = 0;
  private unansweredSince: number | undefined;
  private misses = 0;
  private answered = false;
  private lastDelayMs: number | undefined;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  private readonly label: string;
  private respawns = 0;
  private statusSeq = 0;
  /** Status requests waiting for the child's answer, by id. */
  private readonly pendingStatus = new Map<number, (s: ChildStatus | undefined) => void>();

  constructor(private readonly opts: SupervisorOptions) {
    this.label = `${CHILD_LABEL[opts.role]} child process`;
  }

  get pid(): number | undefined {
    return this.childPid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Times the child was respawned (after a crash, a kill by the watchdog, …). */
  get restarts(): number {
    return this.respawns;
  }

  /** Wall-clock ms the current child was forked (undefined when there is none). */
  get startedAtMs(): number | undefined {
    return this.child ? this.startedAt : undefined;
  }

  /**
   * Ask the child for its status. Resolves with undefined when there is no child, it has no
   * runtime yet, or it does not answer within `timeoutMs` (a stuck child never blocks the caller).
   */
  status(timeoutMs: number): Promise<ChildStatus | undefined> {
    const id = ++this.statusSeq;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (s: ChildStatus | undefined): void => {
        clearTimeout(timer);
        this.pendingStatus.delete(id);
        resolve(s);
      };
      this.pendingStatus.set(id, finish);
      if (!this.send({ type: 'status', id })) finish(undefined);
    });
  }

  start(): void {
    if (this.stopping || this.child) return;
    const { opts } = this;
    let child: ChildProcess;
    try {
      const env = opts.env?.();
      child = fork(opts.entry, [opts.role], {
        execArgv: opts.execArgv,
        ...(env ? { env } : {}),
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
    } catch (e) {
      opts.log.log('error', `${this.label}: fork error(${(e as Error).message})`);
      this.lastDelayMs = nextRespawnDelayMs(this.lastDelayMs, 0, opts.backoff);
      this.scheduleRespawn(this.lastDelayMs);
      return;
    }
    this.child = child;
    this.childPid = child.pid;
    this.startedAt = Date.now();
    this.misses = 0;
    this.answered = false;
    this.unansweredSince = undefined;
    let resolveExit!: () => void;
    this.exited = new Promise((r) => (resolveExit = r));
    child.on('message', (m: unknown) => this.onMessage(child, m));
    child.on('error', (e) => opts.log.log('warning', `${this.label}(${child.pid}): ${e.message}`));
    child.on('exit', (code, signal) => {
      this.onExit(child, code, signal);
      resolveExit();
    });
    opts.onLifecycle?.('start', `pid ${child.pid}`);
    if (child.pid !== undefined) {
      opts.log.log('info', `Starting ${this.label}, pid=${child.pid}`);
      if (opts.pidFile) {
        const err = writePidFile(opts.pidFile, child.pid);
        if (err) opts.log.log('error', `${this.label}: cannot write pidfile ${opts.pidFile}: ${err}`);
      }
    }
    this.send(opts.startMessage());
    this.send({ type: 'hello', seq: ++this.helloSeq });
    this.helloTimer = setInterval(() => this.helloTick(), opts.helloIntervalMs);
  }

  /** Send a message to the running child; false when there is none (it will get the model at respawn). */
  send(msg: ParentMessage): boolean {
    const child = this.child;
    if (!child?.connected) return false;
    try {
      child.send(msg, (err) => {
        if (err) this.opts.log.log('debug', `${this.label}(${child.pid}): IPC send failed: ${err.message}`);
      });
      return true;
    } catch {
      return false;
    }
  }

  /** Graceful stop of the child (idempotent). Resolves once it has exited. */
  stop(): Promise<void> {
    this.stopping = true;
    if (this.respawnTimer) clearTimeout(this.respawnTimer);
    this.respawnTimer = undefined;
    this.clearHello();
    const child = this.child;
    if (!child) return Promise.resolve();
    if (!this.send({ type: 'stop' })) child.kill('SIGTERM');
    const killTimer = setTimeout(() => {
      this.opts.log.log('warning', `${this.label}(${child.pid}) did not stop in ${this.opts.stopTimeoutMs} ms - killing it`);
      child.kill('SIGKILL');
    }, this.opts.stopTimeoutMs);
    return this.exited.then(() => clearTimeout(killTimer));
  }

  private onMessage(child: ChildProcess, m: unknown): void {
    if (!isChildMessage(m) || child !== this.child) return;
    switch (m.type) {
      case 'hello.ack':
        this.answered = true;
        if (m.seq === this.helloSeq) {
          this.unansweredSince = undefined;
          this.misses = 0;
        }
        break;
      case 'fatal':
        this.opts.log.log('error', `${this.label}(${child.pid}): ${m.reason}`);
        break;
      case 'status':
        this.pendingStatus.get(m.id)?.(m.status);
        break;
      default:
        this.opts.onChildMessage?.(m);
        break;
    }
  }

  private helloTick(): void {
    const child = this.child;
    if (!child) return;
    if (!this.answered) {
      // Still loading: only the start-up deadline applies; keep asking.
      if (Date.now() - this.startedAt >= this.opts.startupTimeoutMs) {
        this.opts.log.log('error', `${this.label}(${child.pid}) did not answer a hello within ${this.opts.startupTimeoutMs} ms of starting - killing it`);
        this.clearHello();
        child.kill('SIGKILL');
        return;
      }
    } else if (this.unansweredSince !== undefined) {
      this.misses++;
      if (this.misses >= this.opts.helloMissLimit) {
        const silentMs = Date.now() - this.unansweredSince;
        this.opts.log.log('error', `${this.label}(${child.pid}) did not answer hellos for ${silentMs} ms - killing it`);
        this.clearHello();
        child.kill('SIGKILL');
        return;
      }
    } else {
      this.unansweredSince = Date.now();
    }
    this.helloSeq++;
    this.send({ type: 'hello', seq: this.helloSeq });
  }

  private clearHello(): void {
    if (this.helloTimer) clearInterval(this.helloTimer);
    this.helloTimer = undefined;
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = undefined;
    this.clearHello();
    for (const finish of [...this.pendingStatus.values()]) finish(undefined);
    const pid = child.pid ?? 0;
    if (this.opts.pidFile) removePidFile(this.opts.pidFile, pid);
    this.opts.onLifecycle?.(this.stopping ? 'stopped' : 'crashed', signal ? `pid ${pid}, signal ${signal}` : `pid ${pid}, status ${code}`);
    if (this.stopping) return;
    const { log } = this.opts;
    this.opts.onExit?.(pid, code, signal);
    if (signal) log.log('warning', `pid ${pid} exited due to signal ${signal}`);
    else log.log('warning', `pid ${pid} exited with status ${code}`);
    if (code === CHILD_EXIT_FATAL) {
      log.log('error', `pid ${pid} exited with permanent error FATAL. Terminating`);
      this.opts.onFatal(`${this.label} exited with a permanent error`);
      return;
    }
    if (!this.opts.respawn) {
      log.log('error', `${this.label}(${pid}) died: Exiting`);
      this.opts.onFatal(`${this.label} died and respawn is disabled`);
      return;
    }
    log.log('warning', `${this.label}(${pid}) died: Respawning`);
    const delayMs = nextRespawnDelayMs(this.lastDelayMs, Date.now() - this.startedAt, this.opts.backoff);
    this.lastDelayMs = delayMs;
    this.scheduleRespawn(delayMs);
  }

  private scheduleRespawn(delayMs: number): void {
    if (this.stopping) return;
    if (delayMs > 0) {
      const shown = delayMs % 1000 === 0 ? `${delayMs / 1000} seconds` : `${delayMs} ms`;
      this.opts.log.log('info', `Restart of ${this.label} delayed ${shown} to limit respawn rate`);
    }
    this.respawnTimer = setTimeout(() => {
      this.respawnTimer = undefined;
      this.respawns++;
      this.start();
    }, delayMs);
  }
}
