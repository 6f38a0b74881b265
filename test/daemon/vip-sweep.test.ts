import { describe, expect, it } from 'vitest';
import type { AddressSpec, InterfaceInfo, Ports } from '../../actors/ports.js';
import type { Runtime } from '../../actors/runtime-types.js';
import { RoleHost, type RuntimeFactory } from '../../adapters/node/daemon/role-host.js';
import { leftoverVips } from '../../adapters/node/daemon/vip-sweep.js';
import { CollectingLogger, TWO_INSTANCES, model, sleep } from './fixtures/harness.js';

const IFS: InterfaceInfo[] = [
  { name: 'veth0', index: 3, mac: 'fa:23:0f:74:40:64', up: true, running: true, addresses: ['198.51.100.1/24', '198.51.100.100/24', '198.51.100.102/24', '198.51.100.200/24'] },
];

/** Ports whose removeAddress answers after 80 ms; every call is recorded in order. */
function factory(events: string[]): RuntimeFactory {
  return {
    createPorts: (_role, logger) =>
      ({
        logger,
        hostname: 'h',
        net: {
          interfaces: () => IFS,
          removeAddress: (a: AddressSpec, done: (e?: string) => void) => {
            events.push(`remove ${a.address}/${a.prefixLength} ${a.ifname}`);
            setTimeout(() => {
              events.push(`removed ${a.address}`);
              done();
            }, 80);
          },
        },
      }) as unknown as Ports,
    createRuntime: () => {
      events.push('createRuntime');
      const rt: Runtime = {
        start: () => void events.push('start'),
        stop: () => void events.push('stop'),
        reload: () => undefined,
        status: () => [],
        counters: () => ({}),
        on: () => () => undefined,
      };
      return rt;
    },
  };
}

describe('start-up sweep of leftover VIPs', () => {
  it('finds configured VIPs present on their interfaces, and nothing else', () => {
    const found = leftoverVips(model(TWO_INSTANCES), IFS);
    expect(found.map((f) => [f.instance, `${f.spec.address}/${f.spec.prefixLength}`, f.spec.ifname])).toEqual([
      ['VI_1', '198.51.100.100/24', 'veth0'],
      ['VI_2', '198.51.100.102/24', 'veth0'],
    ]);
  });

  it('removes them before the runtime is created, and logs keepalived\'s line', async () => {
    const events: string[] = [];
    const log = new CollectingLogger();
    const host = new RoleHost('vrrp', factory(events), log, { name: 'h', dumpDir: '/nonexistent', umask: 0o177, stopTimeoutMs: 100 });
    await host.start(model(TWO_INSTANCES));
    expect(events).toEqual([
      'remove 198.51.100.100/24 veth0',
      'remove 198.51.100.102/24 veth0',
      'removed 198.51.100.100',
      'removed 198.51.100.102',
      'createRuntime',
      'start',
    ]);
    expect(log.has(/^\(VI_1\) removing VIPs\.$/)).toBe(true);
    expect(log.has(/^\(VI_2\) removing VIPs\.$/)).toBe(true);
  });

  it('a stop during the sweep means the runtime is never started', async () => {
    const events: string[] = [];
    const host = new RoleHost('vrrp', factory(events), new CollectingLogger(), { name: 'h', dumpDir: '/nonexistent', umask: 0o177, stopTimeoutMs: 100 });
    const started = host.start(model(TWO_INSTANCES));
    await sleep(10);
    await host.stop();
    await started;
    expect(events).not.toContain('createRuntime');
  });

  it('the checker role does not sweep', async () => {
    const events: string[] = [];
    const host = new RoleHost('checker', factory(events), new CollectingLogger(), { name: 'h', dumpDir: '/nonexistent', umask: 0o177, stopTimeoutMs: 100 });
    await host.start(model(TWO_INSTANCES));
    expect(events).toEqual(['createRuntime', 'start']);
  });
});
