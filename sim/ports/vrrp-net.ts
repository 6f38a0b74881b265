/**
 * The VrrpNet port on a simulated host. IPv4 sends carry the daemon's complete datagram; IPv6
 * sends carry the VRRP message and get an IPv6 header here (hop limit 255, source = the NIC's
 * link-local unless the daemon names one). Both are wrapped in a real Ethernet frame and put on
 * the NIC's segment. Send errors read as the daemon's do (actors/errno.ts sendErrorText).
 */
import { sendErrorText, strerror } from '../../actors/errno.js';
import type { VrrpNet, VrrpRxPacket, VrrpSocket, VrrpSocketOptions } from '../../actors/ports.js';
import { IpAddress, multicastMac } from '../../protocol/addr.js';
import { buildEthernetFrame, ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from '../../protocol/ethernet.js';
import { buildIpv6Packet } from '../../protocol/ipv6.js';
import { IPPROTO_VRRP, peekFrame } from '../net/frame.js';
import type { Nic } from '../net/nic.js';
import type { DaemonProcess, Host, SimVrrpSocket } from '../host/host.js';
import type { PortObserver } from './observer.js';

/** Address text → IpAddress, parsed once per distinct text (destinations and sources repeat). */
const addresses = new Map<string, IpAddress | undefined>();
const groupMacs = new Map<string, Uint8Array | null>();

function address(text: string): IpAddress | undefined {
  if (addresses.has(text)) return addresses.get(text);
  const ip = IpAddress.parse(text);
  if (addresses.size < 4096) addresses.set(text, ip);
  return ip;
}

export class SimVrrpNet implements VrrpNet {
  constructor(
    private readonly host: Host,
    private readonly proc: DaemonProcess,
    private readonly observer: PortObserver,
  ) {}

  open(opts: VrrpSocketOptions, onPacket: (p: VrrpRxPacket) => void, _onError: (message: string) => void): VrrpSocket | { error: string } {
    const nic = this.host.nic(opts.ifname);
    if (!nic) return { error: `interface ${opts.ifname} does not exist` };
    const socket: SimVrrpSocket = {
      nic,
      family: opts.family,
      groups: new Set(opts.groups),
      protocols: new Set(opts.protocols.length > 0 ? opts.protocols : [IPPROTO_VRRP]),
      onPacket,
      closed: false,
    };
    this.proc.sockets.push(socket);
    return {
      send: (data, dst, src) => this.send(socket, data, dst, src),
      close: () => {
        socket.closed = true;
        const i = this.proc.sockets.indexOf(socket);
        if (i >= 0) this.proc.sockets.splice(i, 1);
      },
    };
  }

  sendFrame(ifname: string, frame: Uint8Array): string | undefined {
    const nic = this.host.nic(ifname);
    if (!nic) return this.fail(ifname, `interface ${ifname} does not exist`);
    if (!nic.adminUp) return this.fail(ifname, `${ifname}: ${strerror('ENETDOWN')}`); // a packet socket on a downed device
    return this.put(nic, frame);
  }

  private send(socket: SimVrrpSocket, data: Uint8Array, dst: string, src: string | undefined): string | undefined {
    if (socket.closed) return this.fail(socket.nic.name, 'socket closed');
    const nic = socket.nic;
    // An administratively down device has no routes: the kernel refuses the send (measured on a
    // veth). A lost carrier is not an error: the kernel takes the packet and it goes nowhere (put).
    if (!nic.adminUp) return this.fail(nic.name, sendErrorText(nic.name, dst, 'ENETUNREACH'));
    const dstMac = this.nextHopMac(nic, dst, socket.family);
    if (!dstMac) return undefined; // unresolvable unicast peer: the kernel drops it silently
    if (socket.family === 4) {
      return this.put(nic, buildEthernetFrame({ dst: dstMac, src: nic.macBytes, etherType: ETHERTYPE_IPV4, payload: data }));
    }
    const srcIp = address(src ?? nic.linkLocal);
    const dstIp = address(dst);
    if (srcIp?.family !== 6 || dstIp?.family !== 6) return this.fail(nic.name, `bad IPv6 address ${src ?? nic.linkLocal} → ${dst}`);
    const packet = buildIpv6Packet({ nextHeader: IPPROTO_VRRP, hopLimit: 255, src: srcIp.bytes, dst: dstIp.bytes }, data);
    return this.put(nic, buildEthernetFrame({ dst: dstMac, src: nic.macBytes, etherType: ETHERTYPE_IPV6, payload: packet }));
  }

  private nextHopMac(nic: Nic, dst: string, family: 4 | 6): Uint8Array | undefined {
    let mac = groupMacs.get(dst);
    if (mac === undefined) {
      const ip = address(dst);
      mac = ip?.family === family && ip.isMulticast ? multicastMac(ip.bytes) : null;
      if (groupMacs.size < 4096) groupMacs.set(dst, mac);
    }
    return mac ?? nic.segment?.nicWithAddress(dst)?.macBytes;
  }

  private put(nic: Nic, bytes: Uint8Array): string | undefined {
    if (!nic.running || !nic.segment) return undefined; // no carrier, not cabled: the frame goes nowhere
    const frame = peekFrame(bytes);
    if (typeof frame === 'string') return this.fail(nic.name, `malformed frame: ${frame}`);
    nic.segment.transmit(frame, nic);
    return undefined;
  }

  private fail(ifname: string, error: string): string {
    this.observer.onSendError(this.host, ifname, error);
    return error;
  }
}
