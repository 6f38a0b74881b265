/**
 * Packet capture for the daemon benches: tcpdump inside a lab namespace, line-buffered, with
 * epoch timestamps (-tt) and link headers (-e), parsed into VRRP adverts and gratuitous ARPs.
 * tcpdump stamps with CLOCK_REALTIME, the same clock as Date.now() in the bench.
 */
import type { LabProcess, NetnsLab } from '../../test/helpers/netns.js';

export interface CapturedAdvert {
  kind: 'vrrp';
  atMs: number;
  src: string;
  vrid: number;
  priority: number;
}
export interface CapturedGarp {
  kind: 'garp';
  atMs: number;
  srcMac: string;
  ip: string;
}
export type Captured = CapturedAdvert | CapturedGarp;

const VRRP_RE = /^(\d+\.\d+) \S+ > \S+, ethertype IPv4 .*?: (\S+) > 224\.0\.0\.18: VRRPv[23], Advertisement, vrid (\d+), prio (\d+)/;
// A gratuitous ARP: request "who-has X tell X" (keepalived and keepalived-ts send these) or an
// unsolicited reply "X is-at mac".
const GARP_RE = /^(\d+\.\d+) (\S+) > \S+, ethertype ARP .*?(?:Request who-has (\S+)(?: \([0-9a-f:]+\))? tell (\S+),|Reply (\S+) is-at)/;

export function parseCaptureLine(line: string): Captured | undefined {
  const v = VRRP_RE.exec(line);
  if (v) return { kind: 'vrrp', atMs: Number(v[1]) * 1000, src: v[2]!, vrid: Number(v[3]), priority: Number(v[4]) };
  const g = GARP_RE.exec(line);
  if (g) {
    const ip = g[3] ?? g[5]!;
    if (g[3] !== undefined && g[3] !== g[4]) return undefined; // an ordinary ARP request
    return { kind: 'garp', atMs: Number(g[1]) * 1000, srcMac: g[2]!, ip };
  }
  return undefined;
}

export interface Capture {
  /** Packets parsed so far (new ones are appended while the capture runs). */
  packets(): Captured[];
  /** Forget the packets seen so far (between runs). */
  clear(): void;
  stop(): Promise<void>;
}

/** Start tcpdump on `ifname` in `ns` for VRRP and ARP, resolving once it is listening. */
export async function startCapture(lab: NetnsLab, ns: string, ifname: string, filter = 'ip proto 112 or arp'): Promise<Capture> {
  const proc: LabProcess = lab.spawn(ns, ['tcpdump', '-l', '-n', '-e', '-tt', '-B', '8192', '-i', ifname, filter]);
  await proc.waitFor(/listening on/, 10_000);
  let parsedUpTo = 0;
  let packets: Captured[] = [];
  const refresh = (): void => {
    const text = proc.output();
    const end = text.lastIndexOf('\n') + 1;
    if (end <= parsedUpTo) return;
    for (const line of text.slice(parsedUpTo, end).split('\n')) {
      const p = parseCaptureLine(line);
      if (p) packets.push(p);
    }
    parsedUpTo = end;
  };
  return {
    packets: () => {
      refresh();
      return packets;
    },
    clear: () => {
      refresh();
      packets = [];
    },
    stop: async () => {
      await proc.stop(1000);
    },
  };
}
