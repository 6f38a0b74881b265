/**
 * The checker child's status (adapters/node/daemon/role-host.ts): the virtual servers the LVS
 * subsystem reports, the table its backend holds (read with a bound), and the checker verdict
 * changes counted from the runtime's lvs.checker events.
 */
import { describe, expect, it } from 'vitest';
import type { LbTablePort, LbTableView } from '../../actors/lvs/lb-port.js';
import type { Logger, Ports } from '../../actors/ports.js';
import type { Runtime, RuntimeEvent, RuntimeStatus } from '../../actors/runtime-types.js';
import type { KeepalivedConfig } from '../../config/index.js';
import { RoleHost, type RuntimeFactory } from '../../adapters/node/daemon/role-host.js';
import { LVS_SERVERS, LVS_TABLE } from './fixtures/lvs-status.js';

const logger: Logger = { log: () => undefined };
const model = { vrrpInstances: [], virtualServers: [], globalDefs: {} } as unknown as KeepalivedConfig;

function host(view: (done: (v: LbTableView) => void) => void) {
  const listeners = new Set<(e: RuntimeEvent) => void>();
  const table = { backend: 'ipvs', view } as unknown as LbTablePort;
  const runtime: Runtime = {
    start: () => undefined,
    stop: () => undefined,
    reload: () => undefined,
    status: () => [],
    report: (): RuntimeStatus => ({ clockNow: 0, wallNow: Date.now(), instances: [], syncGroups: [], trackers: [], notifyQueue: 0, virtualServers: LVS_SERVERS }),
    counters: () => ({ checker_changes: 3 }),
    on: (l) => (listeners.add(l), () => listeners.delete(l)),
  };
  const factory: RuntimeFactory = { createPorts: () => ({ lbTable: table }) as unknown as Ports, createRuntime: () => runtime };
  const h = new RoleHost('checker', factory, logger, { name: 'lb', dumpDir: '/tmp', umask: 0o22, stopTimeoutMs: 100 });
  const emit = (e: RuntimeEvent) => listeners.forEach((l) => l(e));
  return { h, emit };
}

describe('the checker child status', () => {
  it('carries the virtual servers, the table and the checker verdict changes', async () => {
    const { h, emit } = host((done) => setImmediate(() => done(LVS_TABLE)));
    await h.start(model);
    const down = { type: 'lvs.checker' as const, at: 0, vs: '[198.51.100.10]:tcp:80', rs: '[198.51.100.22]:tcp:80', kind: 'TCP_CHECK', up: false };
    emit(down);
    emit({ ...down, up: true });
    emit(down);
    const st = (await h.status())!;
    expect(st.virtualServers).toBe(LVS_SERVERS);
    expect(st.lbTable).toEqual(LVS_TABLE);
    expect(st.counters.checker_changes).toBe(3);
    expect(st.checkerResults).toEqual([
      { vs: down.vs, rs: down.rs, checker: 'TCP_CHECK', result: 'down', count: 2 },
      { vs: down.vs, rs: down.rs, checker: 'TCP_CHECK', result: 'up', count: 1 },
    ]);
  });

  it('a table that does not answer is left out after the bound, the rest is still reported', async () => {
    const { h } = host(() => undefined);
    await h.start(model);
    const t0 = Date.now();
    const st = (await h.status(150))!;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(st.lbTable).toBeUndefined();
    expect(st.virtualServers).toBe(LVS_SERVERS);
  });
});
