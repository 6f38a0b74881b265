/**
 * The tracker machine's I/O over the ports: vrrp_script runs (ports.scripts), track_file reads and
 * change notifications (ports.files), link state (ports.net), process counts (ports.processes).
 * Each is an XState callback actor; values go back as events, and stopping the actor cancels the
 * script / unwatches. keepalived's decisions (rise/fall, quorum, weights) stay in machines/track.
 * Each probe finds its runtime's ports in its input's `env` (actors/io-env.ts): the subsystem puts
 * it in the tracker's probe settings, and the tracker and probe machines pass it on.
 */
import { fromCallback, type AnyActorRef, type EventObject } from 'xstate';
import { trackerMachine } from '../machines/track/tracker.machine.js';
import { scriptProbeMachine, type ScriptExitedEvent, type ScriptRunInput } from '../machines/track/script-probe.machine.js';
import { processProbeMachine, type ProcessMatch } from '../machines/track/process-probe.machine.js';
import { parseTrackFileValue } from '../machines/track/file-value.js';
import type { TrackerUpdateEvent } from '../machines/track/types.js';
import { canonicalIp, isIpv6LinkLocal, parseIpv6 } from '../protocol/addr.js';
import { ioEnv } from './io-env.js';
import { scriptSpec } from './script-spec.js';

/** keepalived kills a script at its timeout; the port gets a little longer so the machine's own timeout decides. */
const PORT_TIMEOUT_MARGIN_MS = 1000;

export const runScriptActor = fromCallback<EventObject, ScriptRunInput>(({ input, sendBack }) => {
  const env = ioEnv(input, `vrrp_script ${input.name}`);
  let live = true;
  const handle = env.ports.scripts.run(
    scriptSpec(env.scriptPolicy(), { argv: input.argv, timeoutMs: input.timeoutMs + PORT_TIMEOUT_MARGIN_MS, user: input.user, group: input.group }),
    (r) => {
      if (!live) return;
      live = false;
      const e: ScriptExitedEvent = { type: 'script.exited', exitCode: r.exitCode };
      if (r.signal !== undefined) e.signal = r.signal;
      if (r.error !== undefined) e.error = r.error;
      else if (r.timedOut) e.error = 'timed out';
      sendBack(e);
    },
  );
  return () => {
    if (live) handle.cancel();
    live = false;
  };
});

type FileProbeInput = { name: string; parent: AnyActorRef; path: string; initFile?: { value: number; overwrite: boolean }; env?: unknown };

export const fileProbeActor = fromCallback<EventObject, FileProbeInput>(({ input }) => {
  const ports = ioEnv(input, `track_file ${input.name}`).ports;
  let live = true;
  const report = (content: string | undefined) => {
    if (live) input.parent.send({ type: 'tracker.update', ok: true, value: parseTrackFileValue(content) } satisfies TrackerUpdateEvent);
  };
  const read = () => ports.files.read(input.path, (content) => report(content));
  const unwatch = ports.files.watch(input.path, read);
  if (input.initFile) {
    const init = input.initFile;
    ports.files.read(input.path, (content) => {
      if (!live) return;
      if (content !== undefined && !init.overwrite) return report(content);
      if (content !== undefined && init.overwrite) {
        input.parent.send({ type: 'tracker.note', level: 'warning', message: `track file ${input.name}: init_file overwrite is not supported, using the file as it is` });
        return report(content);
      }
      ports.files.writeLine(input.path, String(init.value), () => read());
    });
  } else {
    read();
  }
  return () => {
    live = false;
    unwatch();
  };
});

type LinkProbeInput = { name: string; parent: AnyActorRef; ifname: string; env?: unknown };

/**
 * The interface's own address per family as keepalived tracks it (keepalived_netlink.c): the
 * first IPv4 address and the first IPv6 link-local one that are not VIPs; later ones are spares.
 * Losing it with no spare left is "Deassigned address …", getting one when there was none is
 * "Assigned address …" (both -D). A spare takes over silently.
 */
export class OwnAddresses {
  private readonly primary = new Map<4 | 6, string>();
  private readonly spares = new Map<4 | 6, string[]>();

  constructor(
    private readonly ifname: string,
    private readonly isVirtual: (address: string) => boolean,
  ) {}

  /** The address (CIDR or plain) as keepalived counts it, or undefined when it does not count. */
  private own(cidr: string): { family: 4 | 6; address: string } | undefined {
    const address = canonicalIp(cidr.split('/')[0] ?? '');
    if (!address || this.isVirtual(address)) return undefined;
    if (!address.includes(':')) return { family: 4, address };
    return isIpv6LinkLocal(parseIpv6(address) ?? new Uint8Array()) ? { family: 6, address } : undefined;
  }

  /** Returns the line to log, if any. */
  added(cidr: string): string | undefined {
    const a = this.own(cidr);
    if (!a) return undefined;
    const p = this.primary.get(a.family);
    if (p === undefined) {
      this.primary.set(a.family, a.address);
      return `Assigned address ${a.address} for interface ${this.ifname}`;
    }
    const spares = this.spares.get(a.family) ?? [];
    if (p !== a.address && !spares.includes(a.address)) this.spares.set(a.family, [...spares, a.address]);
    return undefined;
  }

  removed(cidr: string): string | undefined {
    const a = this.own(cidr);
    if (!a) return undefined;
    const spares = this.spares.get(a.family) ?? [];
    if (this.primary.get(a.family) !== a.address) {
      this.spares.set(a.family, spares.filter((s) => s !== a.address));
      return undefined;
    }
    const next = spares.at(-1);
    if (next !== undefined) {
      this.primary.set(a.family, next);
      this.spares.set(a.family, spares.slice(0, -1));
      return undefined;
    }
    this.primary.delete(a.family);
    return `Deassigned address ${a.address} from interface ${this.ifname}`;
  }
}

export const linkProbeActor = fromCallback<EventObject, LinkProbeInput>(({ input }) => {
  const env = ioEnv(input, `track_interface ${input.name}`);
  const ports = env.ports;
  let live = true;
  const send = (ok: boolean, note?: string) => {
    if (live) input.parent.send({ type: 'tracker.update', ok, value: ok ? 1 : 0, ...(note ? { note } : {}) } satisfies TrackerUpdateEvent);
  };
  const addresses = new OwnAddresses(input.ifname, (a) => env.isVirtualAddress?.(a) ?? false);
  const note = (message: string | undefined) => {
    if (live && message) input.parent.send({ type: 'tracker.note', level: 'detail', message });
  };
  // One watch for link and address events: they are told in the kernel's order ("Netlink reports
  // eth0 down" before the link-local address it takes away).
  const unwatch = ports.net.watch((e) => {
    if (!('ifname' in e) || e.ifname !== input.ifname) return;
    if (e.type === 'link.up') send(true, `Netlink reports ${input.ifname} up`);
    else if (e.type === 'link.down' || e.type === 'link.deleted') send(false, `Netlink reports ${input.ifname} down`);
    else if (e.type === 'link.added') {
      const itf = ports.net.interfaces().find((i) => i.name === input.ifname);
      send(!!itf && itf.up && itf.running);
    } else if (e.type === 'address.added') note(addresses.added(e.address));
    else if (e.type === 'address.removed') note(addresses.removed(e.address));
  });
  const itf = ports.net.interfaces().find((i) => i.name === input.ifname);
  if (!itf) input.parent.send({ type: 'tracker.note', level: 'warning', message: `interface ${input.ifname} does not exist` });
  for (const cidr of itf?.addresses ?? []) addresses.added(cidr);
  send(!!itf && itf.up && itf.running);
  return () => {
    live = false;
    unwatch();
  };
});

export const countProcessesActor = fromCallback<EventObject, { name: string; match: ProcessMatch; env?: unknown }>(({ input, sendBack }) => {
  const ports = ioEnv(input, `track_process ${input.name}`).ports;
  if (!ports.processes) throw new Error(`track_process ${input.name}: process tracking is not available on this platform`);
  let live = true;
  const unwatch = ports.processes.watch(input.match, (count) => {
    if (live) sendBack({ type: 'process.count', count });
  });
  return () => {
    live = false;
    unwatch();
  };
});

/** The tracker machine with every probe provided (once per process; each probe's ports come in its input). */
export const trackerLogic = trackerMachine.provide({
  actors: {
    scriptProbe: scriptProbeMachine.provide({ actors: { runScript: runScriptActor } }),
    processProbe: processProbeMachine.provide({ actors: { countProcesses: countProcessesActor } }),
    fileProbe: fileProbeActor,
    linkProbe: linkProbeActor,
  },
});
