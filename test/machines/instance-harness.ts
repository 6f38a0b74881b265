/**
 * Test harness for the VRRP instance machine: runs it on a SimClock with a recording io actor and a
 * recording sync-group actor, and exposes the trace as data (times in simulated ms). The adverts a
 * master's Adver_Timer sends at each expiry do not pass through the io actor (the runtime's timer
 * sends them through the env's advert sender, as the io actor's io.sendAdvert does): the harness's
 * sender records them as the io command `io.sendAdvert` they stand for, in the same list.
 */
import { createActor, fromCallback, type Actor } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { instanceMachine } from '../../machines/vrrp/instance.machine.js';
import { masterDownTimer } from '../../actors/vrrp/master-down-timer.js';
import { adverTimer } from '../../actors/vrrp/adver-timer.js';
import { IpAddress } from '../../protocol/addr.js';
import type { AdverTimerEnv } from '../../actors/vrrp/adver-timer.js';
import type { InstanceEmitted, InstanceEvent, InstanceInput, IoCommand, MemberEvent, ReceivedAdvert } from '../../machines/vrrp/types.js';

/** An address value from text (tests only: the text is known good). */
export function ip(text: string): IpAddress {
  return IpAddress.parse(text)!;
}

export const BASE_INPUT: InstanceInput = {
  name: 'VI_1',
  vrid: 51,
  family: 4,
  version: 2,
  basePriority: 100,
  advertIntervalCs: 100,
  preempt: true,
  preemptDelayMs: 0,
  initialState: 'BACKUP',
  primaryAddress: ip('198.51.100.2'),
  vips: ['198.51.100.10/24'],
  lowerPrioNoAdvert: false,
  higherPrioSendAdvert: false,
  garp: { masterDelayMs: 5000, masterRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1, lowerPrioDelayMs: 0, lowerPrioRepeat: 0 },
  downTimerAdverts: 3,
};

export interface Stamped<T> {
  at: number;
  e: T;
}

export interface Harness {
  clock: SimClock;
  actor: Actor<typeof instanceMachine>;
  io: Stamped<IoCommand>[];
  emitted: Stamped<InstanceEmitted>[];
  group: Stamped<MemberEvent>[];
  send(e: InstanceEvent): void;
  advance(ms: number): void;
  runUntil(ms: number): void;
  /** Top-level state name of the snapshot ('init' | 'backup' | 'master' | 'fault' | 'stop'). */
  state(): string;
  /** `vrrp.state` transitions as "FROM>TO@ms". */
  transitions(): string[];
  /** Adverts sent as [ms, priority]. */
  adverts(): Array<[number, number]>;
  /** io command types in order (optionally from index). */
  ioTypes(from?: number): string[];
  /**
   * io commands, emitted events and sync-group messages interleaved as they happened:
   * "io.sendAdvert:100", "io.addVips", "state BACKUP>MASTER", "log detail Receive advertisement timeout",
   * "group member.state MASTER" (optionally from index).
   */
  journal: string[];
}

export function advert(priority: number, src = '198.51.100.3', maxAdvertIntervalCs = 100, vrid = 51): InstanceEvent {
  const a: ReceivedAdvert = { vrid, priority, maxAdvertIntervalCs, src: ip(src) };
  return { type: 'net.advert', advert: a };
}

/** The instance machine with this io actor and the runtime's own Master_Down_Timer and Adver_Timer
 *  (which read the clock and the advert sender from the input's `env`: pass `timerEnv(…)`). */
export function withIo(io: ReturnType<typeof fromCallback<IoCommand, InstanceInput>>) {
  return instanceMachine.provide({ actors: { io, masterDownTimer, adverTimer } });
}

/** The env the runtime's timers read: the clock and the advert sender the Adver_Timer sends each
 *  periodic advert through (give it what the test's io actor does with io.sendAdvert). */
export function timerEnv(clock: SimClock, sendAdvert: (instance: string, priority: number) => void = () => undefined): AdverTimerEnv {
  return { clock, sendAdvert };
}

/** Build, start and (unless `startup: false`) send vrrp.startup at t = 0. */
export function startInstance(overrides: Partial<InstanceInput> = {}, opts: { startup?: boolean; withGroup?: boolean } = {}): Harness {
  const clock = new SimClock();
  const io: Stamped<IoCommand>[] = [];
  const emitted: Stamped<InstanceEmitted>[] = [];
  const group: Stamped<MemberEvent>[] = [];
  const journal: string[] = [];
  const ioText = (e: IoCommand) => (e.type === 'io.sendGarp' ? `io.sendGarp:${e.reason}` : e.type === 'io.sendAdvert' ? `io.sendAdvert:${e.priority}` : e.type);
  const record = (cmd: IoCommand) => {
    io.push({ at: clock.now(), e: cmd });
    journal.push(ioText(cmd));
  };
  const machine = withIo(fromCallback<IoCommand, InstanceInput>(({ receive }) => receive(record)));
  let input: InstanceInput = { ...BASE_INPUT, env: timerEnv(clock, (_, priority) => record({ type: 'io.sendAdvert', priority })), ...overrides };
  if (opts.withGroup) {
    const groupActor = createActor(
      fromCallback<MemberEvent>(({ receive }) => {
        receive((e) => {
          group.push({ at: clock.now(), e });
          journal.push(`group ${e.type}${e.type === 'member.state' ? ` ${e.to}` : ` ${e.want}`}`);
        });
      }),
      { clock },
    ).start();
    input = { ...input, syncGroup: groupActor };
  }
  const actor = createActor(machine, { clock, input });
  actor.on('*', (e) => {
    emitted.push({ at: clock.now(), e });
    if (e.type === 'vrrp.state') journal.push(`state ${e.from}>${e.to}`);
    else if (e.type === 'vrrp.log') journal.push(`log ${e.level} ${e.message}`);
  });
  actor.subscribe({ error: (err) => { throw err; } });
  actor.start();
  if (opts.startup !== false) actor.send({ type: 'vrrp.startup' });
  const topState = () => {
    const v = actor.getSnapshot().value;
    return typeof v === 'string' ? v : Object.keys(v)[0]!;
  };
  return {
    clock,
    actor,
    io,
    emitted,
    group,
    send: (e) => actor.send(e),
    advance: (ms) => clock.advance(ms),
    runUntil: (ms) => clock.runUntil(ms),
    state: topState,
    transitions: () =>
      emitted.flatMap(({ at, e }) => (e.type === 'vrrp.state' ? [`${e.from}>${e.to}@${at}`] : [])),
    adverts: () => io.flatMap(({ at, e }) => (e.type === 'io.sendAdvert' ? [[at, e.priority] as [number, number]] : [])),
    ioTypes: (from = 0) => io.slice(from).map(({ e }) => ioText(e)),
    journal,
  };
}

/** v2 Master_Down_Interval for priority 100 at 1 s (keepalived µs rounding): 3 609 375 µs. */
export const MDI_V2_P100_MS = 3609.375;

/** The instance is still BACKUP 1 µs before `ms` and MASTER at `ms` (an exact takeover instant). */
export function expectTakeoverAt(h: Harness, ms: number): void {
  h.runUntil(ms - 0.001);
  if (h.state() !== 'backup') throw new Error(`expected BACKUP just before ${ms} ms, got ${h.state()} (transitions ${h.transitions().join(', ')})`);
  h.runUntil(ms);
  if (h.state() !== 'master') throw new Error(`expected MASTER at ${ms} ms, got ${h.state()} (transitions ${h.transitions().join(', ')})`);
}
