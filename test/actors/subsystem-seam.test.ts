/**
 * The subsystem seam (actors/subsystem.ts): a second subsystem runs beside VRRP through
 * createRuntime's list, with its own child logics and plan, and each lifecycle phase runs its
 * steps in order, after VRRP's, each `spawn`/`stop` taking effect before the next step.
 */
import { describe, expect, it } from 'vitest';
import { fromCallback, type AnyActorRef, type EventObject } from 'xstate';
import { createRuntime } from '../../actors/runtime.js';
import type { Step, Subsystem, SubsystemFactory } from '../../actors/subsystem.js';
import { SUBSYSTEMS } from '../../actors/subsystems.js';
import type { KeepalivedConfig } from '../../config/model.js';
import { FakeLan } from './fake-ports.js';
import { model, vi1 } from './two-nodes.js';

type ProbePlan = { checks: string[] };

/** A toy subsystem: one "probe" child per check; it journals every call and what it sees. */
function probeSubsystem(journal: string[]): SubsystemFactory {
  return (host) => {
    const seen = () => ['probe/a', 'probe/b'].filter((id) => host.child(id)).join(',') || '-';
    const probe = fromCallback<EventObject, { name: string }>(({ input, emit }) => {
      journal.push(`probe ${input.name} started`);
      emit({ type: 'probe.hello', name: input.name } as EventObject);
      return () => journal.push(`probe ${input.name} stopped`);
    });
    const note = (what: string): Step => ({ run: () => journal.push(`${what} (children: ${seen()})`) });
    const spawn = (names: string[]): Step => ({ spawn: () => names.map((n) => ({ src: 'probe.check', systemId: `probe/${n}`, input: { name: n } })) });
    const sub: Subsystem<ProbePlan> = {
      children: {
        'probe.check': { logic: probe, observe: (ref: AnyActorRef) => void ref.on('probe.hello', (e: { name: string }) => journal.push(`hello from ${e.name}`)) },
      },
      plan: (m: KeepalivedConfig) => ({ plan: { checks: m.vrrpInstances.length > 0 ? ['a'] : ['a', 'b'] }, problems: ['probe: a problem'] }),
      sweep: () => [note('sweep'), { wait: (done) => void host.ports.clock.setTimeout(done, 5) }, note('swept')],
      start: (p) => [note('start'), spawn(p.checks), note('started')],
      reload: (old, next) => [{ stop: old.checks.filter((c) => !next.checks.includes(c)).map((c) => `probe/${c}`) }, spawn(next.checks.filter((c) => !old.checks.includes(c))), note('reloaded')],
      release: () => [note('release')],
      drain: () => [note('drain')],
      close: (timedOut) => void journal.push(`close ${timedOut}`),
    };
    return sub as Subsystem;
  };
}

describe('the subsystem seam', () => {
  it('a second subsystem gets every phase, after VRRP, with its own children and plan', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const journal: string[] = [];
    const rt = createRuntime(a.ports(), model(vi1(150)), { name: 'a' }, [...SUBSYSTEMS, probeSubsystem(journal)]);
    rt.start();
    expect(a.logLines()).toContain('probe: a problem');
    expect(journal).toEqual(['sweep (children: -)']);
    lan.clock.runUntil(5);
    expect(journal).toEqual(['sweep (children: -)', 'swept (children: -)', 'start (children: -)', 'probe a started', 'hello from a', 'started (children: probe/a)']);
    // VRRP started first: its instance was up before the second subsystem's steps ran.
    expect(a.logLines().indexOf('(VI_1) Entering BACKUP STATE (init)')).toBeGreaterThan(-1);
    lan.clock.runUntil(4000);
    expect(rt.status()).toMatchObject([{ name: 'VI_1', state: 'MASTER' }]);

    journal.length = 0;
    rt.reload(model('global_defs { router_id x }'));
    expect(journal).toEqual(['probe b started', 'hello from b', 'reloaded (children: probe/a,probe/b)']);
    expect(rt.status()).toEqual([]);

    journal.length = 0;
    rt.stop();
    lan.clock.runUntil(5000);
    expect(journal).toEqual(['release (children: probe/a,probe/b)', 'drain (children: probe/a,probe/b)', 'close false', 'probe a stopped', 'probe b stopped']);
    expect(a.logLines().at(-1)).toBe('Stopped');
  });

  it('two subsystems cannot register the same child source', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    expect(() => createRuntime(a.ports(), model(vi1(150)), { name: 'a' }, [probeSubsystem([]), probeSubsystem([])])).toThrow(
      'two subsystems register the child source probe.check',
    );
  });
});
