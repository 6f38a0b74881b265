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

export const linkProbeActor = fromCallback<EventObject, LinkProbeInput>(({ input }) => {
  const ports = ioEnv(input, `track_interface ${input.name}`).ports;
  let live = true;
  const send = (ok: boolean, note?: string) => {
    if (live) input.parent.send({ type: 'tracker.update', ok, value: ok ? 1 : 0, ...(note ? { note } : {}) } satisfies TrackerUpdateEvent);
  };
  const unwatch = ports.net.watch((e) => {
    if (!('ifname' in e) || e.ifname !== input.ifname) return;
    if (e.type === 'link.up') send(true, `Netlink reports ${input.ifname} up`);
    else if (e.type === 'link.down' || e.type === 'link.deleted') send(false, `Netlink reports ${input.ifname} down`);
    else if (e.type === 'link.added') {
      const itf = ports.net.interfaces().find((i) => i.name === input.ifname);
      send(!!itf && itf.up && itf.running);
    }
  });
  const itf = ports.net.interfaces().find((i) => i.name === input.ifname);
  if (!itf) input.parent.send({ type: 'tracker.note', level: 'warning', message: `interface ${input.ifname} does not exist` });
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
