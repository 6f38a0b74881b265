/** The web view's model (sim/view): trace → actor states at t, the bounded live log, diagrams. */
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, setup } from 'xstate';
import { actorFeed, combineInspectors, leafPaths } from '../../actors/actor-feed.js';
import { instanceMachine } from '../../machines/vrrp/instance.machine.js';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario } from '../../sim/run.js';
import { loadScenarioFile } from '../../sim/tools/scenario-file.js';
import { machineDiagram } from '../../sim/view/diagram.js';
import { RecordLog } from '../../sim/view/feed.js';
import { actorRecord, runtimeRecord, simRecord, type TraceRecord } from '../../sim/view/records.js';
import { activeStates, describeRecord, knownActors, upperBound, viewAt } from '../../sim/view/view-model.js';
import { EXAMPLES_DIR } from '../sim/helpers/examples.js';

const actor = (t: number, host: string, name: string, machine: string, state: string[], event = 'e', role?: string): TraceRecord => ({
  t,
  type: 'actor',
  host,
  actor: name,
  machine,
  state,
  event,
  ...(role ? { role } : {}),
});

describe('actor feed', () => {
  it('flattens state values to leaf paths, one per region', () => {
    expect(leafPaths('init')).toEqual(['init']);
    expect(leafPaths({ backup: 'countdown' })).toEqual(['backup.countdown']);
    expect(leafPaths({ run: 'running', schedule: 'waiting' })).toEqual(['run.running', 'schedule.waiting']);
    expect(leafPaths({ a: { b: 'c' } })).toEqual(['a.b.c']);
  });

  it('reports a machine actor when its state value changes, and once more when it stops', () => {
    const child = setup({}).createMachine({ id: 'kid', initial: 'a', states: { a: { on: { go: 'b', same: {} } }, b: {} } });
    const parent = setup({ actors: { child, cb: fromCallback(() => undefined) } }).createMachine({
      id: 'par',
      initial: 'x',
      states: { x: { invoke: [{ src: 'child', id: 'k', systemId: 'kid/1' }, { src: 'cb' }], on: { next: 'y' } }, y: {} },
    });
    const seen: string[] = [];
    const machines: string[] = [];
    const a = createActor(parent, { inspect: actorFeed((c) => seen.push(`${c.actor} ${c.machine} [${c.state.join()}] ${c.event}`), (m) => machines.push(m.id)) });
    a.start();
    a.system.get('kid/1')!.send({ type: 'same' });
    a.system.get('kid/1')!.send({ type: 'go' });
    a.send({ type: 'next' });
    expect(seen).toEqual(['kid/1 kid [a] xstate.init', 'par par [x] xstate.init', 'kid/1 kid [b] go', 'kid/1 kid [] xstate.stop', 'par par [y] next']);
    expect(machines).toEqual(['kid', 'par']);
  });

  it('combineInspectors keeps going when one observer throws', () => {
    const got: string[] = [];
    const all = combineInspectors(
      () => {
        throw new Error('boom');
      },
      (e) => got.push(e.type),
      undefined,
    )!;
    all({ type: '@xstate.event' } as never);
    expect(got).toEqual(['@xstate.event']);
    expect(combineInspectors(undefined)).toBeUndefined();
  });
});

describe('viewAt', () => {
  const records: TraceRecord[] = [
    { t: 0, type: 'daemon', host: 'lb1', what: 'start' },
    actor(0, 'lb1', 'daemon', 'daemon', ['running']),
    actor(0, 'lb1', 'vrrp/VI_1', 'vrrpInstance', ['init'], 'xstate.init'),
    { t: 0, type: 'daemon', host: 'lb2', what: 'start' },
    actor(0, 'lb2', 'vrrp/VI_1', 'vrrpInstance', ['init'], 'xstate.init'),
    actor(0.1, 'lb1', 'vrrp/VI_1', 'vrrpInstance', ['backup.countdown'], 'vrrp.startup'),
    actor(0.1, 'lb2', 'vrrp/VI_1', 'vrrpInstance', ['backup.countdown'], 'vrrp.startup'),
    actor(3.4, 'lb1', 'vrrp/VI_1', 'vrrpInstance', ['master.advertising'], 'vrrp.masterDown'),
    { t: 3.4, type: 'state', host: 'lb1', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 150, reason: 'master-down' },
    { t: 3.41, type: 'garp', host: 'lb1', nic: 'eth0', address: '198.51.100.100', kind: 'arp' },
    { t: 3.41, type: 'garp', host: 'lb1', nic: 'eth0', address: '198.51.100.100', kind: 'arp' },
    { t: 3.41, type: 'garp', host: 'lb1', nic: 'eth0', address: '198.51.100.100', kind: 'arp' },
    { t: 3.5, type: 'advert', host: 'lb1', nic: 'eth0', vrid: 51, priority: 150 },
    { t: 15, type: 'fault', text: 'crash lb1' },
    { t: 15, type: 'daemon', host: 'lb1', what: 'crashed' },
    actor(18, 'lb2', 'vrrp/VI_1', 'vrrpInstance', ['master.advertising'], 'vrrp.masterDown'),
  ];

  it('gives each actor its state at t, with every active state for the highlight', () => {
    const v = viewAt(records, 5);
    const lb1 = v.actors.find((a) => a.host === 'lb1' && a.actor === 'vrrp/VI_1')!;
    expect(lb1).toMatchObject({ machine: 'vrrpInstance', state: ['master.advertising'], active: ['master', 'master.advertising'], since: 3.4, event: 'vrrp.masterDown' });
    expect(v.actors.find((a) => a.host === 'lb2' && a.actor === 'vrrp/VI_1')!.active).toEqual(['backup', 'backup.countdown']);
    expect(v.instances).toEqual([{ host: 'lb1', instance: 'VI_1', state: 'MASTER', priority: 150, reason: 'master-down', since: 3.4 }]);
    expect(v.hosts.map((h) => [h.host, h.daemon])).toEqual([
      ['lb1', 'running'],
      ['lb2', 'running'],
    ]);
    // VRRP first, the lifecycle last; hosts keep the order they appeared in.
    expect(v.actors.map((a) => `${a.host} ${a.actor}`)).toEqual(['lb1 vrrp/VI_1', 'lb2 vrrp/VI_1', 'lb1 daemon']);
    expect(knownActors(records).map((a) => `${a.host} ${a.actor}`)).toEqual(['lb1 vrrp/VI_1', 'lb2 vrrp/VI_1', 'lb1 daemon']);
  });

  it('the moment of a record counts: at t the record at t has happened', () => {
    expect(viewAt(records, 3.4).actors.find((a) => a.host === 'lb1' && a.actor === 'vrrp/VI_1')!.state).toEqual(['master.advertising']);
    expect(viewAt(records, 3.39).actors.find((a) => a.host === 'lb1' && a.actor === 'vrrp/VI_1')!.state).toEqual(['backup.countdown']);
    expect(upperBound(records, -1)).toBe(0);
    expect(upperBound(records, 100)).toBe(records.length);
  });

  it('a daemon that went down takes its actors with it; the highlight moves to the survivor', () => {
    const v = viewAt(records, 20);
    expect(v.hosts.find((h) => h.host === 'lb1')).toMatchObject({ daemon: 'down', since: 15 });
    expect(v.actors.filter((a) => a.host === 'lb1')).toEqual([]);
    expect(v.actors.find((a) => a.host === 'lb2')!.active).toContain('master');
  });

  it('only the child that died loses its actors when the record names a role', () => {
    const two = [actor(0, 'n', 'vrrp/VI_1', 'vrrpInstance', ['init'], 'x', 'vrrp'), actor(0, 'n', 'vs/1', 'lvsVirtualServer', ['up'], 'x', 'checker'), { t: 1, type: 'daemon', host: 'n', what: 'crashed', role: 'checker' }];
    expect(viewAt(two, 2).actors.map((a) => a.actor)).toEqual(['vrrp/VI_1']);
  });

  it('lists the last events before t, folding a burst and leaving adverts out unless asked', () => {
    const v = viewAt(records, 10);
    const texts = v.events.map((e) => `${e.host} ${e.text}${e.count > 1 ? ` ×${e.count}` : ''}`);
    expect(texts).toContain('lb1 gratuitous ARP for 198.51.100.100 on eth0 ×3');
    expect(texts).toContain('lb1 vrrp/VI_1: backup.countdown → master.advertising (vrrp.masterDown)');
    expect(texts).toContain('lb1 VI_1 BACKUP → MASTER (priority 150, master-down)');
    expect(texts.some((x) => x.includes('advert VRID'))).toBe(false);
    expect(viewAt(records, 10, { all: true }).events.some((e) => e.text.includes('advert VRID 51'))).toBe(true);
    expect(viewAt(records, 10, { events: 2 }).events).toHaveLength(2);
  });

  it('describes every record kind in one line', () => {
    expect(describeRecord({ t: 1, type: 'fault', text: 'crash lb1' })).toBe('fault: crash lb1');
    expect(describeRecord({ t: 1, type: 'vip', host: 'a', address: '198.51.100.100/24', op: 'remove' })).toBe('VIP removed 198.51.100.100/24');
    expect(describeRecord({ t: 1, type: 'other', host: 'a', x: 1 })).toBe('other {"x":1}');
    expect(activeStates(['run.running', 'schedule.waiting'])).toEqual(['run', 'run.running', 'schedule', 'schedule.waiting']);
  });
});

describe('a simulated run in the view', () => {
  it('shows lb1 master before the crash and lb2 master after it (examples/default.yaml)', () => {
    const scn = loadScenarioFile(`${EXAMPLES_DIR}/default.yaml`).scenario!;
    const records: TraceRecord[] = [];
    const machines = new Set<string>();
    runScenario(scn, { createRuntime: createDaemonRuntime, actors: true, listen: (e) => records.push(simRecord(e)), onMachine: (m) => machines.add(m.id) });
    expect([...machines].sort()).toEqual(['daemon', 'notifier', 'tracker', 'tracking', 'vrrpInstance']);
    const at = (t: number, host: string) => viewAt(records, t).actors.find((a) => a.host === host && a.machine === 'vrrpInstance')?.state;
    expect(at(10, 'lb1')).toEqual(['master.advertising']);
    expect(at(10, 'lb2')).toEqual(['backup.countdown']);
    expect(at(20, 'lb1')).toBeUndefined();
    expect(at(20, 'lb2')).toEqual(['master.advertising']);
    expect(viewAt(records, 20).hosts.find((h) => h.host === 'lb1')!.daemon).toBe('down');
    // lb1 boots at 25 s and preempts.
    expect(at(35, 'lb1')).toEqual(['master.advertising']);
    expect(at(35, 'lb2')).toEqual(['backup.countdown']);
  });
});

describe('RecordLog (the daemon side)', () => {
  it('keeps the latest state of each actor after its record left the window', () => {
    const log = new RecordLog(10);
    let calls = 0;
    log.subscribe(() => calls++);
    log.push(actor(0, 'n', 'notifier', 'notifier', ['idle']));
    log.push(actor(0, 'n', 'vrrp/VI_1', 'vrrpInstance', ['backup.countdown']));
    for (let i = 1; i <= 40; i++) log.push({ t: i, type: 'log', host: 'n', message: `line ${i}` });
    log.push(actor(41, 'n', 'vrrp/VI_1', 'vrrpInstance', ['master.advertising']));
    const recs = log.records();
    expect(recs.length).toBeLessThanOrEqual(14);
    const v = viewAt(recs, 41);
    expect(v.actors.map((a) => `${a.actor} ${a.state.join()}`)).toEqual(['vrrp/VI_1 master.advertising', 'notifier idle']);
    expect(calls).toBe(43);
    // In time order, the kept states first.
    expect(recs.map((r) => r.t)).toEqual([...recs.map((r) => r.t)].sort((a, b) => a - b));
  });

  it('keeps one diagram per machine', () => {
    const log = new RecordLog();
    log.addDiagram(machineDiagram(instanceMachine));
    log.addDiagram(machineDiagram(instanceMachine));
    expect(log.diagrams().map((d) => d.id)).toEqual(['vrrpInstance']);
  });
});

describe('records', () => {
  it('maps a daemon RuntimeEvent to the record the simulator traces for the same fact', () => {
    expect(runtimeRecord('lb1', 5, { type: 'instance.state', at: 0, instance: 'VI_1', from: 'BACKUP', to: 'MASTER', priority: 100, reason: 'master-down' })).toEqual({
      t: 5,
      type: 'state',
      host: 'lb1',
      instance: 'VI_1',
      from: 'BACKUP',
      to: 'MASTER',
      priority: 100,
      reason: 'master-down',
    });
    expect(runtimeRecord('lb1', 5, { type: 'advert.sent', at: 0, instance: 'VI_1', priority: 100 })).toBeUndefined();
    expect(actorRecord('lb1', 2, { actor: 'notifier', machine: 'notifier', state: ['idle'], event: 'xstate.init' })).toEqual({
      t: 2,
      type: 'actor',
      host: 'lb1',
      actor: 'notifier',
      machine: 'notifier',
      state: ['idle'],
      event: 'xstate.init',
    });
  });

  it('a diagram names the Mermaid box of every state path', () => {
    const d = machineDiagram(instanceMachine);
    expect(d.states['backup.countdown']).toBe('vrrpInstance_backup_countdown');
    expect(d.states['master']).toBe('vrrpInstance_master');
    expect(d.mermaid).not.toContain('note ');
    expect(d.mermaid).not.toContain('(internal)');
    expect(d.everywhere).toContain('vrrp.shutdown → stop');
  });
});
