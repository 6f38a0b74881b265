/**
 * AF_UNIX datagram sockets on abstract addresses, through our addon: a receiver that needs no
 * network, no file and no root (the advert backstop's test and bench send to them).
 */
import type { NetIo } from '../../adapters/linux/native.js';

export const AF_UNIX = 1;
export const SOCK_DGRAM = 2;

/** A datagram socket bound to the abstract address `\0kts-<tag>-<pid>`, and that sockaddr_un. */
export function unixDgramReceiver(io: Pick<NetIo, 'socket' | 'bind'>, tag: string): { fd: number; addr: Buffer } {
  const path = `\0kts-${tag}-${process.pid}`;
  const addr = Buffer.alloc(2 + Buffer.byteLength(path));
  addr.writeUInt16LE(AF_UNIX, 0);
  addr.write(path, 2, 'latin1');
  const fd = io.socket(AF_UNIX, SOCK_DGRAM, 0);
  io.bind(fd, addr);
  return { fd, addr };
}

/** Every datagram queued on `fd` (up to 256 bytes each), in order; none left afterwards. */
export function drainDatagrams(io: Pick<NetIo, 'recvmsg'>, fd: number): Buffer[] {
  const out: Buffer[] = [];
  const data = Buffer.alloc(256);
  for (;;) {
    const got = io.recvmsg(fd, data, Buffer.alloc(128), Buffer.alloc(64));
    if (!got) return out;
    out.push(Buffer.from(data.subarray(0, got[0])));
  }
}
