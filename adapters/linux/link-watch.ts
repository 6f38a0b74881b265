/**
 * Link and address events from rtnetlink multicast groups. The `netlink` package's high-level
 * 'message' event drops the message type (RTM_NEWADDR and RTM_DELADDR look alike), so this
 * listens one layer down and decodes each message with its type.
 *
 * A link is "up" for VRRP when it is administratively up and has carrier (IFF_UP and
 * IFF_RUNNING), as keepalived judges it. Events are emitted on transitions only: a NEWLINK that
 * changes nothing we track (MTU, statistics…) emits nothing.
 */
import { createRtNetlink, rt } from 'netlink';
import type { LinkEvent } from '../../actors/ports.js';
import { errorText } from './native.js';
import { guardNetlinkSocket } from './netlink-guard.js';
import { inNetns } from './netns.js';
import { addressRecord, linkRecord, type RtnlDump } from './rtnl-dump.js';

const RTM_NEWLINK = 16;
const RTM_DELLINK = 17;
const RTM_NEWADDR = 20;
const RTM_DELADDR = 21;

interface Known {
  name: string;
  up: boolean;
}

/** Start watching; returns the function that stops it. `onError` gets socket errors. */
export function watchLinks(rtnl: RtnlDump, netns: string | undefined, onEvent: (e: LinkEvent) => void, onError?: (message: string) => void): () => void {
  // 1 MiB receive buffer (capped by net.core.rmem_max), forced to 8 MiB as root, so an event storm
  // (1,000 VIPs added at once) is not lost; an overrun drops events instead of aborting the process.
  const mon = inNetns(netns, () =>
    guardNetlinkSocket(() => createRtNetlink({ ref: true, recvBufferSize: 1 << 20, sendBufferSize: 0 }), {
      recvBufferBytes: 8 << 20,
      ...(onError ? { onWarning: onError } : {}),
    }),
  );
  mon.addMembership('LINK');
  mon.addMembership('IPV4_IFADDR');
  mon.addMembership('IPV6_IFADDR');
  // Subscribed first, dumped second: nothing can fall between the two.
  const known = new Map<number, Known>(rtnl.links(true).map((l) => [l.index, { name: l.name, up: l.up && l.running }]));
  let stopped = false;
  rtnl.watched(1);

  const emit = (e: LinkEvent): void => {
    if (!stopped) onEvent(e);
  };

  mon.socket.on('message', (msgs) => {
    for (const m of msgs) {
      let parsed: rt.Message;
      try {
        parsed = rt.parseMessage(m.type, m.data);
      } catch (e) {
        onError?.(`undecodable rtnetlink message type ${m.type}: ${errorText(e)}`);
        continue;
      }
      // A link event makes both lists stale; an address event only the addresses (no link's index,
      // name, MAC or flags changes with an address).
      if (parsed.kind === 'link') rtnl.invalidate();
      else if (parsed.kind === 'address') rtnl.invalidateAddresses();
      if (parsed.kind === 'link') {
        const l = linkRecord(parsed);
        const up = l.up && l.running;
        const prev = known.get(l.index);
        if (m.type === RTM_DELLINK) {
          known.delete(l.index);
          emit({ type: 'link.deleted', ifname: prev?.name ?? l.name, index: l.index });
        } else if (m.type === RTM_NEWLINK) {
          known.set(l.index, { name: l.name, up });
          if (!prev) {
            emit({ type: 'link.added', ifname: l.name, index: l.index });
            if (up) emit({ type: 'link.up', ifname: l.name, index: l.index });
          } else if (prev.up !== up) {
            emit({ type: up ? 'link.up' : 'link.down', ifname: l.name, index: l.index });
          }
        }
      } else if (parsed.kind === 'address' && (m.type === RTM_NEWADDR || m.type === RTM_DELADDR)) {
        const a = addressRecord(parsed);
        if (!a) continue;
        const ifname = known.get(a.index)?.name ?? a.label ?? `if${a.index}`;
        emit({ type: m.type === RTM_NEWADDR ? 'address.added' : 'address.removed', ifname, address: `${a.address}/${a.prefixLength}` });
      }
    }
  });
  mon.socket.on('error', (e) => onError?.(`rtnetlink monitor: ${errorText(e)}`));

  return () => {
    if (stopped) return;
    stopped = true;
    rtnl.watched(-1);
    mon.socket.close();
  };
}
