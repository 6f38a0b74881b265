/**
 * Raw Ethernet frames (gratuitous ARP, unsolicited neighbour advertisements) through one
 * AF_PACKET socket. Protocol 0 on the socket: it never receives, so it costs nothing.
 * The frame is complete (built by protocol/); the link-layer address in sockaddr_ll is its own
 * destination MAC and the ethertype its own. The socket is opened when the sender is made (a
 * backup's first gratuitous ARP as master would otherwise open it), and again at the next send
 * if that failed.
 */
import { AF_PACKET, SOCK_RAW } from './constants.js';
import { errorText, netio } from './native.js';
import { inNetns } from './netns.js';
import { sockaddrLl } from './sockaddr.js';

/** A sockaddr_ll kept per interface, ethertype and destination MAC (a handful: the broadcast and
 *  all-nodes addresses on each interface) instead of two new Buffers per frame; cleared when full. */
const MAX_ADDRESSES = 64;

export class FrameSender {
  private fd = -1;
  private readonly addresses = new Map<number, Array<{ mac: Uint8Array; address: Buffer }>>();

  constructor(private readonly netns?: string) {
    try {
      this.open();
    } catch {
      // reported by the first send, which tries again
    }
  }

  private open(): void {
    if (this.fd < 0) this.fd = inNetns(this.netns, () => netio().socket(AF_PACKET, SOCK_RAW, 0));
  }

  /** Send `frame` out of interface `ifindex`; returns an error string on failure. */
  send(ifindex: number, frame: Uint8Array): string | undefined {
    if (frame.length < 14) return `frame too short (${frame.length} bytes)`;
    try {
      this.open();
      const ethertype = (frame[12]! << 8) | frame[13]!;
      netio().sendmsg(this.fd, frame, this.addressFor(ifindex, ethertype, frame), null);
      return undefined;
    } catch (e) {
      return errorText(e);
    }
  }

  /** sockaddr_ll for `frame` (its destination MAC, bytes 0-5) out of `ifindex` with `ethertype`. */
  private addressFor(ifindex: number, ethertype: number, frame: Uint8Array): Buffer {
    const key = ifindex * 0x10000 + ethertype;
    let known = this.addresses.get(key);
    if (known) {
      for (const k of known) {
        const m = k.mac;
        if (m[0] === frame[0] && m[1] === frame[1] && m[2] === frame[2] && m[3] === frame[3] && m[4] === frame[4] && m[5] === frame[5]) return k.address;
      }
    }
    if (this.addresses.size >= MAX_ADDRESSES) {
      this.addresses.clear();
      known = undefined;
    }
    const mac = frame.slice(0, 6);
    const address = sockaddrLl(ifindex, ethertype, mac);
    if (!known) this.addresses.set(key, (known = []));
    if (known.length < MAX_ADDRESSES) known.push({ mac, address });
    return address;
  }

  close(): void {
    if (this.fd >= 0) netio().close(this.fd);
    this.fd = -1;
  }
}
