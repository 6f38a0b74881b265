/**
 * The composition root's real world: every port of actors/ports.ts backed by the Linux kernel
 * and Node.
 *
 *   const ports = createNodePorts({ netns: cfg.netNamespace, logger });
 *   const rt = createRuntime(ports, model, { name: ports.hostname });
 *   …
 *   ports.close();   // after rt.stop() reported 'runtime.stopped'
 */
import { hostname } from 'node:os';
import type { Logger, Ports } from '../../actors/ports.js';
import { createLinuxNetConfig, type LinuxNetConfig } from '../linux/net-config.js';
import { createLinuxProcessMonitor, type LinuxProcessMonitor } from '../linux/process-monitor.js';
import { RtnlDump } from '../linux/rtnl-dump.js';
import { TimerfdTimers } from '../linux/timerfd-timers.js';
import { guardBackstop } from '../linux/advert-backstop.js';
import { netio } from '../linux/native.js';
import { VmacManager } from '../linux/vmac.js';
import { createLinuxVrrpNet, type LinuxVrrpNet } from '../linux/vrrp-net.js';
import { createNodeClock } from './clock.js';
import { createNodeFiles, type NodeFiles } from './files.js';
import { createConsoleLogger } from './logger.js';
import { createNodeMailer } from './mailer.js';
import { createNodeScriptRunner, type NodeScriptRunner } from './scripts.js';
import { youngGenerationCollector } from './young-generation.js';

export interface NodePortsOptions {
  /** keepalived's net_namespace: every socket, netlink request and script runs inside
   *  /run/netns/NAME (or the given path). Default: the process's own namespace. */
  netns?: string;
  /** Log transport (default: console on stderr). See logger.ts for syslog. */
  logger?: Logger;
  /** Host name for SMTP HELO and router_id defaults (default: os.hostname()). */
  hostname?: string;
  /** Delay between SIGTERM and SIGKILL for a timed-out script (default 2000 ms). */
  scriptKillGraceMs?: number;
  /** How often vrrp_track_process rescans /proc (default 1000 ms). */
  processPollIntervalMs?: number;
}

export interface NodePorts extends Ports {
  vrrp: LinuxVrrpNet;
  net: LinuxNetConfig;
  scripts: NodeScriptRunner;
  files: NodeFiles;
  processes: LinuxProcessMonitor;
  /** use_vmac interfaces (not a port: only the daemon has them). */
  vmac: VmacManager;
  /** Close sockets and descriptors, stop watches, kill running scripts. */
  close(): void;
}

/** Throws (with a clear message) only when the namespace does not exist or the addon is not built. */
export function createNodePorts(opts: NodePortsOptions = {}): NodePorts {
  const rtnl = new RtnlDump(opts.netns);
  const host = opts.hostname ?? hostname();
  const vrrp = createLinuxVrrpNet(rtnl, opts.netns);
  const logger = opts.logger ?? createConsoleLogger();
  const net = createLinuxNetConfig(rtnl, opts.netns, (message) => logger.log('error', message));
  const scripts = createNodeScriptRunner({ ...(opts.netns !== undefined ? { netns: opts.netns } : {}), ...(opts.scriptKillGraceMs !== undefined ? { killGraceMs: opts.scriptKillGraceMs } : {}) });
  const files = createNodeFiles();
  // Each arm of the Adver_Timers' timerfd guards the advert backstop for the earliest of them.
  const precise = new TimerfdTimers({ onError: (message) => logger.log('error', message), onArm: (inMs) => guardBackstop(netio(), inMs) });
  const processes = createLinuxProcessMonitor({ ...(opts.processPollIntervalMs !== undefined ? { pollIntervalMs: opts.processPollIntervalMs } : {}) });
  return {
    clock: createNodeClock({ preciseTimer: (fn) => precise.timer(fn), beforePreciseExpiry: youngGenerationCollector(() => performance.now()) }),
    vrrp,
    net,
    scripts,
    files,
    processes,
    mailer: createNodeMailer({ defaultHelo: host }),
    logger,
    vmac: new VmacManager(opts.netns),
    hostname: host,
    close() {
      scripts.killAll();
      files.close();
      processes.close();
      net.close();
      vrrp.close();
      rtnl.close();
      precise.close();
    },
  };
}
