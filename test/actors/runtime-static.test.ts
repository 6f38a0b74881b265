/**
 * static_ipaddress / static_routes / static_rules through the runtime: added at start whatever the
 * VRRP state, removed on a graceful stop, reloaded as a diff; port errors logged, never fatal.
 */
import { describe, expect, it } from 'vitest';
import { model, twoNodes, vi1 } from './two-nodes.js';

const statics = (addr = '198.51.100.50/32', route = '203.0.113.0/24') => `
static_ipaddress {
  ${addr} dev eth0
}
static_routes {
  ${route} via 198.51.100.254 dev eth0
}
static_rules {
  from 198.51.100.50 table 100
}`;

describe('static addresses, routes and rules', () => {
  it('are added at start on master and backup alike, and removed on graceful stop', () => {
    const { lan, a, b, rtA, rtB } = twoNodes(vi1(150, '', statics()), vi1(100, '', statics()));
    lan.clock.runUntil(50);
    // Before any election (both still INIT/BACKUP) the static entries are in place on both nodes.
    for (const n of [a, b]) {
      expect(n.addresses.has('198.51.100.50/32')).toBe(true);
      expect(n.routes).toEqual(['203.0.113.0/24']);
      expect(n.rules).toEqual(['198.51.100.50/32>@100']);
    }
    lan.clock.runUntil(6000);
    expect(rtA.status()[0]!.state).toBe('MASTER');
    expect(rtB.status()[0]!.state).toBe('BACKUP');
    expect(b.addresses.has('198.51.100.50/32')).toBe(true);
    let stopped = false;
    rtB.on((e) => {
      if (e.type === 'runtime.stopped') stopped = true;
    });
    rtB.stop();
    lan.clock.runUntil(7000);
    expect(stopped).toBe(true);
    expect(b.addresses.has('198.51.100.50/32')).toBe(false);
    expect(b.routes).toEqual([]);
    expect(b.rules).toEqual([]);
    // The master kept its own.
    expect(a.addresses.has('198.51.100.50/32')).toBe(true);
  });

  it('reload removes what is gone, adds what is new, leaves the rest alone', () => {
    const { lan, a, rtA } = twoNodes(vi1(150, '', statics()), vi1(100));
    lan.clock.runUntil(100);
    const ops: string[] = [];
    a.netFail = (op) => {
      ops.push(op);
      return undefined;
    };
    rtA.reload(model(vi1(150, '', statics('198.51.100.51/32'))));
    lan.clock.runUntil(200);
    expect(ops).toEqual(['removeAddress 198.51.100.50/32', 'addAddress 198.51.100.51/32']);
    expect(a.addresses.has('198.51.100.50/32')).toBe(false);
    expect(a.addresses.has('198.51.100.51/32')).toBe(true);
    expect(a.routes).toEqual(['203.0.113.0/24']);
    rtA.reload(model(vi1(150)));
    lan.clock.runUntil(300);
    expect(a.addresses.has('198.51.100.51/32')).toBe(false);
    expect(a.routes).toEqual([]);
    expect(a.rules).toEqual([]);
  });

  it('a port error is logged and counted, and the runtime carries on', () => {
    const { lan, a, rtA } = twoNodes(vi1(150, '', statics()), vi1(100), false);
    a.netFail = (op) => (op.startsWith('addRoute') ? 'Network is unreachable' : undefined);
    rtA.start();
    lan.clock.runUntil(5000);
    expect(a.logLines()).toContain('(static) cannot add route 203.0.113.0/24: Network is unreachable');
    expect(rtA.counters()['net_errors']).toBe(1);
    expect(a.rules).toEqual(['198.51.100.50/32>@100']);
    expect(rtA.status()[0]!.state).toBe('MASTER');
  });
});
