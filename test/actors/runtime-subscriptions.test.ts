/**
 * Subscriptions by event type (actors/sink.ts): a listener that names its types gets only those,
 * and an event no listener takes is not built at all, while counters and the logger see
 * everything. The daemon's host subscribes this way unless it writes a trace, so a steady master
 * builds no event per advert, log line or GARP.
 */
import { describe, expect, it } from 'vitest';
import { compileText } from '../../config/index.js';
import { createRuntime } from '../../actors/runtime.js';
import { RuntimeSink } from '../../actors/sink.js';
import { SimClock } from '../../sim/clock.js';
import type { RuntimeEvent } from '../../actors/runtime-types.js';
import { FakeLan } from './fake-ports.js';
import { vi1 } from './two-nodes.js';

describe('runtime subscriptions by event type', () => {
  it('delivers only the named types; a listener without types still gets every event', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const rt = createRuntime(a.ports(), compileText(vi1(150)).model, { name: 'a' });
    const typed: RuntimeEvent[] = [];
    const all: RuntimeEvent[] = [];
    const offTyped = rt.on((e) => typed.push(e), ['instance.state']);
    const offAll = rt.on((e) => all.push(e));
    rt.start();
    lan.clock.runUntil(10_000);
    expect(typed.length).toBeGreaterThan(0);
    expect(new Set(typed.map((e) => e.type))).toEqual(new Set(['instance.state']));
    expect(typed.map((e) => (e as { to: string }).to)).toContain('MASTER');
    const types = new Set(all.map((e) => e.type));
    for (const t of ['instance.state', 'advert.sent', 'garp.sent', 'log'] as const) expect(types).toContain(t);
    offAll();
    offTyped();
  });

  it('builds no event nobody takes, and still counts and logs it', () => {
    const lan = new FakeLan();
    const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
    const rt = createRuntime(a.ports(), compileText(vi1(150)).model, { name: 'a' });
    const seen: RuntimeEvent[] = [];
    rt.on((e) => seen.push(e), ['instance.state']);
    rt.start();
    lan.clock.runUntil(10_000);
    expect(seen.every((e) => e.type === 'instance.state')).toBe(true);
    expect(rt.counters()['VI_1:adverts_sent']).toBeGreaterThan(3);
    expect(a.logLines()).toContain('(VI_1) Entering MASTER STATE');
  });

  it('the sink: wants() follows subscribe and unsubscribe; a log event only when some listener takes logs', () => {
    const lines: string[] = [];
    const sink = new RuntimeSink(new SimClock(), { log: (_l, m) => lines.push(m) });
    expect(sink.wants('advert.sent')).toBe(false);
    const got: RuntimeEvent[] = [];
    const offState = sink.on((e) => got.push(e), ['instance.state']);
    expect(sink.wants('instance.state')).toBe(true);
    expect(sink.wants('log')).toBe(false);
    sink.log('info', 'one');
    sink.emit({ type: 'advert.sent', instance: 'VI_1', priority: 100 });
    expect(got).toEqual([]);
    const offLog = sink.on((e) => got.push(e), ['log']);
    sink.log('info', 'two');
    expect(got.map((e) => (e.type === 'log' ? e.message : e.type))).toEqual(['two']);
    offLog();
    expect(sink.wants('log')).toBe(false);
    const offAll = sink.on((e) => got.push(e));
    expect(sink.wants('advert.sent')).toBe(true);
    offAll();
    offState();
    expect(sink.wants('instance.state')).toBe(false);
    expect(lines).toEqual(['one', 'two']);
  });

  it('the sink: a counter() function counts what count() counts, in the same cells, and shows from its first count on', () => {
    const sink = new RuntimeSink(new SimClock(), { log: () => undefined });
    const sent = sink.counter('adverts_sent', 'VI_1');
    expect(sink.snapshot()).toEqual({});
    sent();
    sent();
    sink.count('adverts_sent', 'VI_1');
    sink.count('adverts_sent', 'VI_2', 4);
    expect(sink.snapshot()).toEqual({ adverts_sent: 7, 'VI_1:adverts_sent': 3, 'VI_2:adverts_sent': 4 });
    sink.counter('adverts_sent', 'VI_2')();
    expect(sink.snapshot()).toMatchObject({ adverts_sent: 8, 'VI_2:adverts_sent': 5 });
  });
});
