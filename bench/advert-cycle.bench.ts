/**
 * Cost of the VRRP instance machine's advert cycle on the discrete-event SimClock.
 *
 *   npx tsx bench/advert-cycle.bench.ts [--quick]
 *
 * tx: N masters sending adverts (Adver_Timer fires: the invoked adverTimer actor sends the advert
 *     through the env's advert sender and re-arms, no event into the instance machine);
 * rx: N backups each accepting one advert per interval (net.advert → Master_Down_Timer restart);
 * rx follow: the same adverts handed first to each backup's Master_Down_Timer, as VrrpIo does in
 *     the runtime (env followAdverts): a repeat of the known master restarts the timer by the
 *     chart's guard, with no event into the instance machine (the first advert still goes to it).
 * Prints wall-clock µs per cycle, cycles per second and simulated-time speed-up. Figures, not asserts.
 */
import { performance } from 'node:perf_hooks';
import { createActor, fromCallback, type AnyActorRef } from 'xstate';
import { SimClock } from '../sim/clock.js';
import { instanceMachine } from '../machines/vrrp/instance.machine.js';
import type { InstanceInput, IoCommand, ReceivedAdvert } from '../machines/vrrp/types.js';
import { masterDownTimer } from '../actors/vrrp/master-down-timer.js';
import { adverTimer } from '../actors/vrrp/adver-timer.js';
import { IpAddress } from '../protocol/addr.js';

/** The simulated master's source address, as a socket would hand it over: a new value per packet. */
const MASTER = Uint8Array.of(198, 51, 100, 1);

const quick = process.argv.includes('--quick');

function input(i: number, role: 'master' | 'backup', clock: SimClock, sendAdvert: () => void = () => undefined): InstanceInput {
  const owner = role === 'master';
  return {
    name: `VI_${i}`,
    vrid: (i % 255) + 1,
    family: 4,
    version: 3,
    basePriority: owner ? 255 : 100,
    advertIntervalCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    initialState: owner ? 'MASTER' : 'BACKUP',
    primaryAddress: IpAddress.parse(`198.51.100.${(i % 200) + 2}`)!,
    vips: [`203.0.113.${(i % 250) + 1}/32`],
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    garp: { masterDelayMs: 0, masterRepeat: 5, masterRefreshMs: 0, masterRefreshRepeat: 1, lowerPrioDelayMs: 0, lowerPrioRepeat: 0 },
    downTimerAdverts: 3,
    env: { clock, sendAdvert },
  };
}

interface Result {
  label: string;
  instances: number;
  cycles: number;
  wallMs: number;
  simMs: number;
}

function run(label: string, n: number, role: 'master' | 'backup', simMs: number, follow = false): Result {
  const clock = new SimClock();
  /** The followers the backups' Master_Down_Timers registered (env followAdverts), by instance name. */
  const followers = new Map<string, (a: ReceivedAdvert) => boolean>();
  let sent = 0;
  const count = () => void sent++;
  const machine = instanceMachine.provide({
    actors: {
      masterDownTimer,
      adverTimer,
      io: fromCallback<IoCommand, InstanceInput>(({ receive }) => {
        receive((cmd) => {
          if (cmd.type === 'io.sendAdvert') sent++;
        });
      }),
    },
  });
  const actors: AnyActorRef[] = [];
  for (let i = 0; i < n; i++) {
    const base = input(i, role, clock, count);
    const env = follow
      ? {
          ...(base.env as object),
          followAdverts: (name: string, answer: (a: ReceivedAdvert) => boolean) => {
            followers.set(name, answer);
            return () => void (followers.get(name) === answer && followers.delete(name));
          },
        }
      : base.env;
    const a = createActor(machine, { clock, input: { ...base, env } }).start();
    a.send({ type: 'vrrp.startup' });
    actors.push(a);
  }
  let received = 0;
  if (role === 'backup') {
    // A simulated master on the segment: one advert per second to every backup.
    const tick = () => {
      for (let i = 0; i < actors.length; i++) {
        const advert: ReceivedAdvert = { vrid: 1, priority: 200, maxAdvertIntervalCs: 100, src: IpAddress.fromBytes(MASTER)! };
        if (!(followers.get(`VI_${i}`)?.(advert) ?? false)) actors[i]!.send({ type: 'net.advert', advert });
      }
      received += actors.length;
      clock.setTimeout(tick, 1000);
    };
    clock.setTimeout(tick, 500);
  }
  const warmMs = Math.max(2000, Math.ceil(5000 / n) * 1000); // ≥ 5000 cycles: start-up and JIT
  clock.runUntil(warmMs);
  const [s0, r0] = [sent, received];
  const t0 = performance.now();
  clock.runUntil(warmMs + simMs);
  const wallMs = performance.now() - t0;
  const cycles = role === 'master' ? sent - s0 : received - r0;
  for (const a of actors) a.stop();
  if (role === 'backup' && sent !== 0) throw new Error('a backup sent an advert: the bench is not measuring what it says');
  return { label, instances: n, cycles, wallMs, simMs };
}

function print(r: Result): void {
  const usPerCycle = (r.wallMs * 1000) / r.cycles;
  const perSec = r.cycles / (r.wallMs / 1000);
  console.log(
    `${r.label.padEnd(10)} ${String(r.instances).padStart(5)} inst  ${String(r.cycles).padStart(7)} cycles  ` +
      `${usPerCycle.toFixed(1).padStart(7)} µs/cycle  ${Math.round(perSec).toString().padStart(8)} cycles/s  ` +
      `${(r.simMs / r.wallMs).toFixed(0).padStart(6)}× sim speed`,
  );
}

const scale = quick ? 0.1 : 1;
console.log('VRRP instance advert cycle on SimClock (v3, 100 cs interval)');
for (const [n, simS] of [[1, 20_000], [10, 2_000], [100, 200], [1000, 20]] as const) {
  print(run('tx master', n, 'master', simS * 1000 * scale));
}
for (const [n, simS] of [[1, 20_000], [100, 200], [1000, 20]] as const) {
  print(run('rx backup', n, 'backup', simS * 1000 * scale));
}
for (const [n, simS] of [[1, 20_000], [100, 200], [1000, 20]] as const) {
  print(run('rx follow', n, 'backup', simS * 1000 * scale, true));
}

/** Master-down takeover cost: N backups time out together (the Master_Down_Timer fires, MASTER entered). */
function takeover(n: number): void {
  const clock = new SimClock();
  const machine = instanceMachine.provide({ actors: { masterDownTimer, adverTimer, io: fromCallback<IoCommand, InstanceInput>(() => undefined) } });
  const actors = Array.from({ length: n }, (_, i) => createActor(machine, { clock, input: input(i, 'backup', clock) }).start());
  for (const a of actors) a.send({ type: 'vrrp.startup' });
  clock.runUntil(3000); // the whole intervals are over for everyone: only Skew_Time and the takeover remain
  const t0 = performance.now();
  clock.runUntil(5000);
  const wallMs = performance.now() - t0;
  const masters = actors.filter((a) => a.getSnapshot().matches('master')).length;
  for (const a of actors) a.stop();
  console.log(
    `takeover   ${String(n).padStart(5)} inst  ` +
      `${((wallMs * 1000) / n).toFixed(0).padStart(6)} µs per takeover  (${masters} masters)`,
  );
}
takeover(quick ? 20 : 200);
