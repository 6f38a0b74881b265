/** The full `Ports` object for one daemon process on a simulated host. */
import type { Ports } from '../../actors/ports.js';
import type { DaemonProcess, Host } from '../host/host.js';
import { SimNetConfig } from './net-config.js';
import type { PortObserver } from './observer.js';
import { SimProcessMonitor } from './processes.js';
import { SimFiles, SimLogger, SimMailer, SimScriptRunner } from './programs.js';
import { SimVrrpNet } from './vrrp-net.js';

export type { PortObserver } from './observer.js';

export function simPorts(host: Host, proc: DaemonProcess, observer: PortObserver): Ports {
  return {
    clock: proc.clock,
    vrrp: new SimVrrpNet(host, proc, observer),
    net: new SimNetConfig(host, proc, observer),
    scripts: new SimScriptRunner(host, proc, observer),
    files: new SimFiles(host, proc, observer),
    mailer: new SimMailer(host, proc, observer),
    logger: new SimLogger(host, observer),
    processes: new SimProcessMonitor(host, proc),
    hostname: host.name,
  };
}
