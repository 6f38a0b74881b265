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

export class FrameSender {
  private fd = -1;

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
      netio().sendmsg(this.fd, frame, sockaddrLl(ifindex, ethertype, frame.subarray(0, 6)), null);
      return undefined;
    } catch (e) {
      return errorText(e);
    }
  }

  close(): void {
    if (this.fd >= 0) netio().close(this.fd);
    this.fd = -1;
  }
}
