/**
 * The same send failure reads the same from the daemon's VRRP socket and the simulator's
 * (actors/errno.ts sendErrorText serves both). Root only: a real socket in a network namespace on
 * a veth taken down, against a simulated NIC in the same state:
 *  - the device administratively down: the kernel refuses the send (ENETUNREACH), and both sides
 *    give "kd-a send to 224.0.0.18: Network is unreachable";
 *  - the carrier lost (the peer down): the kernel takes the packet and drops it, no error on
 *    either side.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendErrorText } from '../../actors/errno.js';
import type { VrrpSocket, VrrpSocketOptions } from '../../actors/ports.js';
import { RtnlDump } from '../../adapters/linux/rtnl-dump.js';
import { createLinuxVrrpNet, type LinuxVrrpNet } from '../../adapters/linux/vrrp-net.js';
import { SimClock } from '../../sim/clock.js';
import { DaemonProcess, Host } from '../../sim/host/host.js';
import { ScriptTable } from '../../sim/host/script-table.js';
import { Nic } from '../../sim/net/nic.js';
import type { PortObserver } from '../../sim/ports/observer.js';
import { SimVrrpNet } from '../../sim/ports/vrrp-net.js';
import { NetnsLab, isRoot } from '../helpers/netns.js';

const GROUP = '224.0.0.18';
const OPTS: VrrpSocketOptions = { family: 4, ifname: 'kd-a', groups: [GROUP], protocols: [112] };

/** An IPv4 datagram carrying an 8-byte VRRP-looking payload, 198.51.100.1 → 224.0.0.18. */
function datagram(): Uint8Array {
  const d = new Uint8Array(28);
  d.set([0x45, 0xc0, 0, 28, 0, 0, 0, 0, 255, 112, 0, 0, 198, 51, 100, 1, 224, 0, 0, 18]);
  d.set([0x31, 51, 100, 0, 0, 100, 0, 0], 20);
  return d;
}

function simSocket(): { nic: Nic; socket: VrrpSocket; errors: string[] } {
  const events = { onNeighbour: () => undefined, onVrrpIn: () => undefined, onKernelDrop: () => undefined };
  const host = new Host('a', new SimClock(), new ScriptTable(), events, false);
  const nic = new Nic(host, 'kd-a', 2, '02:00:00:00:01:01', [{ address: '198.51.100.1', prefixLength: 24, family: 4 }]);
  host.nics.push(nic);
  const errors: string[] = [];
  const observer = { onSendError: (_h: Host, _i: string, e: string) => void errors.push(e) } as unknown as PortObserver;
  const s = new SimVrrpNet(host, new DaemonProcess(host.cpu, 0, 0), observer).open(OPTS, () => undefined, () => undefined);
  if ('error' in s) throw new Error(s.error);
  return { nic, socket: s, errors };
}

describe.skipIf(!isRoot)('send errors: the daemon and the simulator say the same (root: network namespaces)', () => {
  const lab = new NetnsLab('kts-se-');
  let a = '';
  let b = '';
  let rt: RtnlDump;
  let net: LinuxVrrpNet;
  let real: VrrpSocket;

  beforeAll(async () => {
    a = await lab.namespace('a');
    b = await lab.namespace('b');
    await lab.veth({ ns: a, ifname: 'kd-a', addresses: ['198.51.100.1/24'] }, { ns: b, ifname: 'kd-b', addresses: ['198.51.100.2/24'] });
    rt = new RtnlDump(a);
    net = createLinuxVrrpNet(rt, a);
    const s = net.open(OPTS, () => undefined, () => undefined);
    if ('error' in s) throw new Error(s.error);
    real = s;
  });
  afterAll(async () => {
    real?.close();
    net?.close();
    rt?.close();
    await lab.cleanup();
  });

  it('carrier lost: no error from either', async () => {
    await lab.exec(b, ['ip', 'link', 'set', 'kd-b', 'down']);
    const sim = simSocket();
    sim.nic.carrier = false;
    expect(real.send(datagram(), GROUP)).toBeUndefined();
    expect(sim.socket.send(datagram(), GROUP)).toBeUndefined();
    await lab.exec(b, ['ip', 'link', 'set', 'kd-b', 'up']);
  });

  it('device down: the same line, word for word', async () => {
    await lab.exec(a, ['ip', 'link', 'set', 'kd-a', 'down']);
    const sim = simSocket();
    sim.nic.adminUp = false;
    const daemonLine = real.send(datagram(), GROUP);
    const simLine = sim.socket.send(datagram(), GROUP);
    expect(daemonLine).toBe('kd-a send to 224.0.0.18: Network is unreachable');
    expect(simLine).toBe(daemonLine);
    expect(sim.errors).toEqual([daemonLine]);
    expect(sendErrorText('kd-a', GROUP, 'ENETUNREACH')).toBe(daemonLine);
    await lab.exec(a, ['ip', 'link', 'set', 'kd-a', 'up']);
  });
});
