/**
 * What the daemon would program at start for a config, without touching the kernel: the LVS
 * subsystem runs on a simulated director (sim/tools/lvs-record.ts: the daemon's own composition
 * root, no real probes or scripts) and its table calls are replayed on the real backend code,
 * IPVS over ipvs-netlink's fake kernel socket or nftables with a runner that records each batch
 * instead of running nft. So the output is the backend's own bytes and JSON, in the daemon's
 * order, as an empty kernel would receive them.
 *
 * IPVS: the requests that change the table (NEW/SET/DEL service, dest and sync daemon, SET_CONFIG,
 * FLUSH), one per line; queries (the family lookup, GET_INFO, GET_CONFIG, table dumps) are left
 * out. nftables: each atomic batch as the JSON `nft -j -f` reads.
 */
import { decodeIpvsMessage, FwdMethod, ipvsCmdName, IpvsCmd, readHeader, type IpvsMessage } from 'ipvs-netlink';
import { FakeIpvsKernel } from 'ipvs-netlink/testing';
import type { LbTablePort } from '../../actors/lvs/lb-port.js';
import type { KeepalivedConfig } from '../../config/index.js';
import { recordLvsTable, replayTable } from '../../sim/tools/lvs-record.js';
import { openIpvsTable } from '../linux/lb-ipvs.js';
import type { NftCommand } from '../linux/nft/batch.js';
import { NftLbTable } from '../linux/nft/backend.js';
import type { NftRunner } from '../linux/nft/driver.js';
import { modelForRole } from './daemon/roles.js';

export type PlanBackend = 'ipvs' | 'nftables';

/** The IPVS family id the fake kernel hands out (keepalived's captures were made with 0x20 too). */
export const PLAN_IPVS_FAMILY_ID = 0x20;

export interface LvsPlan {
  backend: PlanBackend;
  /** IPVS: one netlink message each (nlmsghdr + genlmsghdr + attributes). */
  messages: Uint8Array[];
  /** nftables: one `{ nftables: [...] }` batch each. */
  batches: Array<{ nftables: NftCommand[] }>;
  /** The daemon's LVS log lines at start (refused virtual servers, warnings), "LEVEL message". */
  logs: string[];
  /** Errors the backend reported while replaying (none on an empty table, normally). */
  errors: string[];
}

const CHANGES = new Set<number>([
  IpvsCmd.NEW_SERVICE, IpvsCmd.SET_SERVICE, IpvsCmd.DEL_SERVICE, IpvsCmd.NEW_DEST, IpvsCmd.SET_DEST, IpvsCmd.DEL_DEST,
  IpvsCmd.NEW_DAEMON, IpvsCmd.DEL_DAEMON, IpvsCmd.SET_CONFIG, IpvsCmd.ZERO, IpvsCmd.FLUSH,
]);

/** Whether a request sent to the IPVS family changes the table (not a query or a dump). */
export function changesIpvsTable(msg: Uint8Array, familyId = PLAN_IPVS_FAMILY_ID): boolean {
  if (readHeader(msg).type !== familyId || msg.length < 17) return false;
  return CHANGES.has(msg[16]!);
}

function recordAndReplay(model: KeepalivedConfig, table: LbTablePort, logs: string[], done: (errors: string[]) => void): void {
  const rec = recordLvsTable(modelForRole(model, 'checker'), table, { startupOnly: true });
  logs.push(...rec.logs);
  replayTable(table, rec.ops, done);
}

/** The start-up plan of `model` for `backend`. Never touches the kernel, runs nothing. */
export function planLvs(model: KeepalivedConfig, backend: PlanBackend): Promise<LvsPlan> {
  const logs: string[] = [];
  const logger = { log: (level: string, message: string) => logs.push(`${level} ${message}`) };
  if (backend === 'nftables') {
    const batches: LvsPlan['batches'] = [];
    const runner: NftRunner = {
      apply: (cmds, done) => {
        batches.push(structuredClone({ nftables: cmds }));
        done(undefined);
      },
      list: (_family, _table, done) => done(undefined, { nftables: [] }),
      close: () => undefined,
    };
    const table = new NftLbTable({ runner, log: (line) => logger.log('notice', line) });
    return new Promise((resolve) =>
      recordAndReplay(model, table, logs, (errors) => {
        table.close();
        resolve({ backend, messages: [], batches, logs, errors });
      }),
    );
  }
  const kernel = new FakeIpvsKernel({ familyId: PLAN_IPVS_FAMILY_ID });
  return new Promise((resolve, reject) =>
    openIpvsTable({ transport: kernel, logger }, (r) => {
      if (!r.ok) return reject(new Error(r.message));
      const first = kernel.requests.length;
      recordAndReplay(model, r.table, logs, (errors) => {
        r.table.close();
        resolve({ backend, messages: kernel.requests.slice(first).filter((m) => changesIpvsTable(m)), batches: [], logs, errors });
      });
    }),
  );
}

const FWD: Record<number, string> = { [FwdMethod.MASQ]: 'masq', [FwdMethod.TUNNEL]: 'tunnel', [FwdMethod.DROUTE]: 'route', [FwdMethod.LOCALNODE]: 'local', [FwdMethod.BYPASS]: 'bypass' };
const PROTO: Record<number, string> = { 6: 'TCP', 17: 'UDP', 132: 'SCTP' };

function endpoint(af: number, address: string | undefined, port: number | undefined): string {
  return `${af === 10 ? `[${address}]` : address}:${port ?? 0}`;
}

/** One IPVS request in words, ipvsadm-like. */
export function describeIpvsRequest(msg: Uint8Array): string {
  const m: IpvsMessage = decodeIpvsMessage(msg);
  const parts = [ipvsCmdName(m.cmd).replace(/^IPVS_CMD_/, '')];
  const s = m.service;
  if (s) {
    parts.push(s.fwmark !== undefined ? `FWM ${s.fwmark}${s.af === 10 ? ' IPv6' : ''}` : `${PROTO[s.protocol ?? 0] ?? `proto ${s.protocol}`} ${endpoint(s.af, s.address, s.port)}`);
  }
  const d = m.dest;
  // A destination command carries its service's nest too; the service's own settings go with the service commands.
  if (s && !d) {
    if (s.scheduler !== undefined) parts.push(s.scheduler);
    if (s.pe) parts.push(`pe ${s.pe}`);
    if (s.flags) parts.push(`flags 0x${s.flags.toString(16)}`);
    if (s.timeout) parts.push(`persistent ${s.timeout}`);
    if (s.timeout && s.netmask !== undefined) parts.push(`netmask ${s.netmask}`);
  }
  if (d) {
    parts.push(`-> ${endpoint(d.addressFamily ?? s?.af ?? 2, d.address, d.port)}`, FWD[d.fwdMethod ?? 0] ?? `fwd ${d.fwdMethod}`, `weight ${d.weight ?? 0}`);
    if (d.uThreshold) parts.push(`u-threshold ${d.uThreshold}`);
    if (d.lThreshold) parts.push(`l-threshold ${d.lThreshold}`);
    if (d.tunType !== undefined) parts.push(`tun-type ${['ipip', 'gue', 'gre'][d.tunType] ?? d.tunType}`);
    if (d.tunPort) parts.push(`tun-port ${d.tunPort}`);
  }
  const dm = m.daemon;
  if (dm) {
    parts.push(dm.state === 1 ? 'master' : dm.state === 2 ? 'backup' : `state ${dm.state}`);
    if (dm.mcastIfn) parts.push(`mcast-interface ${dm.mcastIfn}`);
    if (dm.syncId !== undefined) parts.push(`syncid ${dm.syncId}`);
    if (dm.syncMaxlen) parts.push(`sync-maxlen ${dm.syncMaxlen}`);
    if (dm.mcastGroup) parts.push(`mcast-group ${dm.mcastGroup}`);
    if (dm.mcastPort) parts.push(`mcast-port ${dm.mcastPort}`);
    if (dm.mcastTtl) parts.push(`mcast-ttl ${dm.mcastTtl}`);
  }
  const t = m.timeouts;
  if (t) parts.push(`timeouts tcp ${t.tcp ?? 0} tcpfin ${t.tcpFin ?? 0} udp ${t.udp ?? 0}`);
  return parts.join(' ');
}

export function toHex(msg: Uint8Array): string {
  return Buffer.from(msg).toString('hex');
}
