/** The IPVS backend over ipvs-netlink's fake kernel, with promise helpers for tests. */
import { FakeIpvsKernel, type FakeIpvsKernelOptions } from 'ipvs-netlink/testing';
import { openIpvsTable, type IpvsGlobals, type IpvsTable, type IpvsTableOpen } from '../../adapters/linux/lb-ipvs.js';
import type { LbCommand, LbDestination, LbError, LbService, LbTableView } from '../../actors/lvs/lb-port.js';
import type { LogLevel } from '../../actors/ports.js';

export interface Harness {
  kernel: FakeIpvsKernel;
  table: IpvsTable;
  logs: string[];
  apply(commands: LbCommand[]): Promise<LbError[]>;
  view(): Promise<LbTableView>;
  startup(g: IpvsGlobals): Promise<string[]>;
  shutdown(g: IpvsGlobals): Promise<string[]>;
}

export function open(kernel: FakeIpvsKernel, logs: string[] = []): Promise<IpvsTableOpen> {
  return new Promise((resolve) => openIpvsTable({ transport: kernel, logger: { log: (l: LogLevel, m: string) => logs.push(`${l}: ${m}`) } }, resolve));
}

export async function harness(opts: FakeIpvsKernelOptions = {}, kernel = new FakeIpvsKernel(opts)): Promise<Harness> {
  const logs: string[] = [];
  const r = await open(kernel, logs);
  if (!r.ok) throw new Error(r.message);
  const table = r.table;
  return {
    kernel,
    table,
    logs,
    apply: (commands) => new Promise((res) => table.apply(commands, res)),
    view: () => new Promise((res) => table.view(res)),
    startup: (g) => new Promise((res) => table.startup(g, res)),
    shutdown: (g) => new Promise((res) => table.shutdown(g, res)),
  };
}

export const svc = (over: Partial<LbService> = {}): LbService => ({
  family: 4,
  protocol: 'tcp',
  address: '203.0.113.10',
  port: 80,
  scheduler: 'rr',
  flags: [],
  persistenceTimeoutS: 0,
  ...over,
});

export const rs = (last: number, over: Partial<LbDestination> = {}): LbDestination => ({
  family: 4,
  address: `198.51.100.${last}`,
  port: 80,
  method: 'NAT',
  weight: 1,
  upperThreshold: 0,
  lowerThreshold: 0,
  ...over,
});

export const add = (service: LbService): LbCommand => ({ cmd: 'addService', service });
export const del = (service: LbService): LbCommand => ({ cmd: 'delService', service });
export const addD = (service: LbService, dest: LbDestination): LbCommand => ({ cmd: 'addDest', service, dest });
export const setD = (service: LbService, dest: LbDestination): LbCommand => ({ cmd: 'setDest', service, dest });
export const delD = (service: LbService, dest: LbDestination): LbCommand => ({ cmd: 'delDest', service, dest });
