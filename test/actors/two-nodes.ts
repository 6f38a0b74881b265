/** Shared set-up of the runtime tests: a one-instance keepalived.conf and two runtimes on one fake LAN. */
import { expect } from 'vitest';
import { compileText } from '../../config/index.js';
import type { KeepalivedConfig } from '../../config/model.js';
import type { InterfaceInfo } from '../../actors/ports.js';
import { createRuntime } from '../../actors/runtime.js';
import type { RuntimeEvent } from '../../actors/runtime-types.js';
import { FakeLan } from './fake-ports.js';

/** `vrrp_instance VI_1` on eth0, VRID 51, advert_int 1, VIP 198.51.100.100/24; `top` goes before it. */
export const vi1 = (priority: number, body = '', top = '') => `
${top}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  ${body}
  virtual_ipaddress { 198.51.100.100/24 }
}`;

/** The interface list of one host with eth0 (index 2, up) holding `addresses`, for buildPlan and the sweep. */
export const eth0 = (addresses: string[]): InterfaceInfo[] => [{ name: 'eth0', index: 2, mac: '02:00:00:00:00:01', up: true, running: true, addresses }];

/** Compile, failing the test on any error other than keepalived's script-security notice. */
export function model(text: string): KeepalivedConfig {
  const r = compileText(text);
  expect(r.diagnostics.filter((d) => d.severity === 'error' && d.kind !== 'security')).toEqual([]);
  return r.model;
}

/** Two nodes a (198.51.100.1) and b (198.51.100.2); runtimes created but not started unless `start`. */
export function twoNodes(confA: string, confB: string, start = true) {
  const lan = new FakeLan();
  const a = lan.node('a', '198.51.100.1', '02:00:00:00:00:01');
  const b = lan.node('b', '198.51.100.2', '02:00:00:00:00:02');
  const rtA = createRuntime(a.ports(), model(confA), { name: 'a' });
  const rtB = createRuntime(b.ports(), model(confB), { name: 'b' });
  const events: Array<[string, RuntimeEvent]> = [];
  rtA.on((e) => events.push(['a', e]));
  rtB.on((e) => events.push(['b', e]));
  if (start) {
    rtA.start();
    rtB.start();
  }
  /** [time, node, to, reason] of every instance.state event. */
  const states = () =>
    events.flatMap(([n, e]) => (e.type === 'instance.state' ? [[e.at, n, e.to, e.reason] as [number, string, string, string]] : []));
  return { lan, a, b, rtA, rtB, events, states };
}
