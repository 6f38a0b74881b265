/**
 * Two instance machines on one SimClock joined by an ideal wire (each advert sent, an io.sendAdvert
 * or the Adver_Timer's, becomes the peer's net.advert 0.1 ms later): elections, the priority-0
 * release and the Skew_Time takeover.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, type Actor } from 'xstate';
import { SimClock } from '../../sim/clock.js';
import { instanceMachine } from '../../machines/vrrp/instance.machine.js';
import type { InstanceInput, IoCommand } from '../../machines/vrrp/types.js';
import { BASE_INPUT, ip, timerEnv, withIo } from './instance-harness.js';

const WIRE_MS = 0.1;

function pair(a: Partial<InstanceInput>, b: Partial<InstanceInput>) {
  const clock = new SimClock();
  const log: string[] = [];
  const nodes: Record<string, Actor<typeof instanceMachine>> = {};
  const wire = { up: true };
  const build = (name: string, peer: string, over: Partial<InstanceInput>) => {
    const send = (priority: number) => {
      if (!wire.up) return;
      const advert = { vrid: input.vrid, priority, maxAdvertIntervalCs: input.advertIntervalCs, src: input.primaryAddress };
      clock.setTimeout(() => nodes[peer]!.send({ type: 'net.advert', advert }), WIRE_MS);
    };
    const input: InstanceInput = { ...BASE_INPUT, name, env: timerEnv(clock, (_, priority) => send(priority)), ...over };
    const machine = withIo(
      fromCallback<IoCommand, InstanceInput>(({ receive }) => {
        receive((cmd) => {
          if (cmd.type === 'io.sendAdvert') send(cmd.priority);
        });
      }),
    );
    const actor = createActor(machine, { clock, input });
    actor.on('vrrp.state', (e) => log.push(`${clock.now()} ${name} ${e.to}`));
    nodes[name] = actor;
  };
  build('A', 'B', a);
  build('B', 'A', b);
  for (const n of Object.values(nodes)) n.start();
  for (const n of Object.values(nodes)) n.send({ type: 'vrrp.startup' });
  const top = (n: string) => String(Object.keys(nodes[n]!.getSnapshot().value as object)[0] ?? nodes[n]!.getSnapshot().value);
  return { clock, log, nodes, top, wire };
}

describe('two VRRP instances on one segment', () => {
  it('R-22 the higher priority wins the cold-start election and the other stays backup', () => {
    const p = pair({ basePriority: 200, primaryAddress: ip('198.51.100.1') }, { basePriority: 100, primaryAddress: ip('198.51.100.2') });
    p.clock.runUntil(60_000);
    expect(p.log).toEqual(['0 A BACKUP', '0 B BACKUP', '3218.75 A MASTER']);
  });

  it('R-23 a priority-0 release makes the backup take over after its Skew_Time', () => {
    const p = pair({ basePriority: 200, primaryAddress: ip('198.51.100.1') }, { basePriority: 100, primaryAddress: ip('198.51.100.2') });
    p.clock.runUntil(10_000);
    p.nodes.A!.send({ type: 'vrrp.shutdown' });
    p.clock.runUntil(20_000);
    expect(p.log.slice(3)).toEqual(['10000 A STOP', `${10_000 + WIRE_MS + 609.375} B MASTER`]);
  });

  it('R-29 equal priorities: the higher address ends as the only master', () => {
    const p = pair({ primaryAddress: ip('198.51.100.1') }, { primaryAddress: ip('198.51.100.2') });
    p.clock.runUntil(30_000);
    expect([p.top('A'), p.top('B')]).toEqual(['backup', 'master']);
  });

  it('K-8 split brain heals at the next advert of the loser: the winner answers it at once', () => {
    const run = (lowerPrioNoAdvert: boolean) => {
      const p = pair(
        { version: 3, basePriority: 100, primaryAddress: ip('198.51.100.1'), advertIntervalCs: 100 },
        { version: 3, basePriority: 200, primaryAddress: ip('198.51.100.2'), advertIntervalCs: 300, lowerPrioNoAdvert },
      );
      p.wire.up = false; // partition: both become master (A at 3609.375, B at 9000 + 656.25)
      p.clock.runUntil(10_000);
      expect([p.top('A'), p.top('B')]).toEqual(['master', 'master']);
      p.wire.up = true;
      p.clock.runUntil(20_000);
      return p.log.filter((l) => l.includes('A BACKUP')).at(-1);
    };
    // A's advert at 10 609.375 reaches B 0.1 ms later; B answers (K-8); A yields 0.1 ms after that.
    expect(run(false)).toBe(`${10_609.375 + 2 * WIRE_MS} A BACKUP`);
    // RFC 5798 behaviour: B stays silent until its own next advert at 9656.25 + 3000.
    expect(run(true)).toBe(`${12_656.25 + WIRE_MS} A BACKUP`);
  });
});
