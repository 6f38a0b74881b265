/**
 * The VrrpNet port on Linux: IPv4 VRRP through raw-socket, IPv6 VRRP and raw frames through our
 * addon, all sockets created inside the configured network namespace.
 */
import type { VrrpNet } from '../../actors/ports.js';
import { FrameSender } from './frame-sender.js';
import { errorText } from './native.js';
import type { RtnlDump } from './rtnl-dump.js';
import { openVrrp4Socket } from './vrrp4-socket.js';
import { openVrrp6Socket } from './vrrp6-socket.js';

export interface LinuxVrrpNet extends VrrpNet {
  close(): void;
}

export function createLinuxVrrpNet(rtnl: RtnlDump, netns?: string): LinuxVrrpNet {
  const frames = new FrameSender(netns);
  return {
    open(opts, onPacket, onError) {
      try {
        const ifindex = rtnl.indexOf(opts.ifname);
        if (ifindex === undefined) return { error: `interface ${opts.ifname} not found` };
        if (opts.protocols.length === 0) return { error: 'no IP protocol to open' };
        const open = opts.family === 4 ? openVrrp4Socket : openVrrp6Socket;
        return open({ ...opts, ifindex, ...(netns !== undefined ? { netns } : {}) }, onPacket, onError);
      } catch (e) {
        return { error: `cannot open IPv${opts.family} VRRP socket on ${opts.ifname}: ${errorText(e)}` };
      }
    },
    sendFrame(ifname, frame) {
      let ifindex: number | undefined;
      try {
        ifindex = rtnl.indexOf(ifname);
      } catch (e) {
        return errorText(e);
      }
      if (ifindex === undefined) return `interface ${ifname} not found`;
      return frames.send(ifindex, frame);
    },
    close() {
      frames.close();
    },
  };
}
