/**
 * One VRRP socket (one interface and family) as an actor: it opens the socket over ports.vrrp
 * when it starts and closes it when it stops, reopens it when its interface comes back with a new
 * index (an interface deleted and created again: a socket bound to the old index hears nothing),
 * and hands every packet to VrrpIo.receive, which validates it; the validated advert (or the
 * invalid-packet notice) goes to the instance actor it is for, by systemId. This is the whole
 * path of an advert: port → socket actor → VrrpIo (decode, demux, validate) → instance statechart.
 * The pattern is the tracker probes' (actors/track-io.ts): a callback actor on a port.
 */
import { fromCallback, type AnyActorRef, type EventObject } from 'xstate';
import type { Ports, VrrpRxPacket, VrrpSocket } from '../ports.js';
import type { RuntimeSink } from '../sink.js';
import { instanceId } from './names.js';
import type { SocketSpec } from './sockets.js';
import type { VrrpIo } from './vrrp-io.js';

export interface SocketActorInput {
  spec: SocketSpec;
  io: VrrpIo;
  ports: Ports;
  sink: RuntimeSink;
}

export const vrrpSocketLogic = fromCallback<EventObject, SocketActorInput>(({ input, system }) => {
  const { spec, io, ports, sink } = input;
  const { ifname, family } = spec.options;
  let socket: VrrpSocket | undefined;
  /** Interface index when the socket was opened; a new index means the interface was recreated. */
  let ifindex: number | undefined;
  let live = true;

  const deliver = (p: VrrpRxPacket): void => {
    const d = io.receive(spec.key, p, ports.clock.now());
    if (d) (system.get(instanceId(d.instance)) as AnyActorRef | undefined)?.send(d.event);
  };

  const open = (): void => {
    const itf = ports.net.interfaces().find((i) => i.name === ifname);
    ifindex = itf?.index;
    const vmacOf = io.vmacMember(spec.key, ifname);
    if (!itf && vmacOf) {
      // The VMAC is created after start-up begins: the socket opens when its link appears.
      sink.log('info', `(${vmacOf}) VRRP socket waits for VMAC ${ifname}`);
      return;
    }
    let mine: VrrpSocket | undefined;
    const r = ports.vrrp.open(
      spec.options,
      (p) => {
        // Packets still queued for a socket closed since (a relink, a stop) are not ours.
        if (live && mine !== undefined && socket === mine) deliver(p);
      },
      (message) => {
        sink.count('socket_errors');
        sink.log('warning', `VRRP socket ${ifname} IPv${family}: ${message}`);
      },
    );
    if ('error' in r) {
      sink.count('socket_errors');
      sink.log('error', `cannot open VRRP socket on ${ifname} for IPv${family}: ${r.error}`);
      return;
    }
    mine = socket = r;
    io.attach(spec.key, r);
  };

  const close = (): void => {
    const was = socket;
    socket = undefined;
    was?.close();
    io.attach(spec.key, undefined, was);
  };

  const unwatch = ports.net.watch((e) => {
    if (!live || (e.type !== 'link.added' && e.type !== 'link.up') || e.ifname !== ifname) return;
    if (socket && ifindex === e.index) return;
    sink.log('info', `${ifname} (index ${e.index}) ${socket ? `replaces index ${ifindex ?? '?'}` : 'is back'} - reopening VRRP socket for IPv${family}`);
    close();
    open();
  });
  open();
  return () => {
    live = false;
    unwatch();
    close();
  };
});
