/**
 * The IPVS backend against a kernel-like table (ipvs-netlink's FakeIpvsKernel): it reconciles
 * rather than replays, recovers from drift and errors, and never throws when IPVS is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { AF_INET, FwdMethod, IPPROTO_TCP, IpvsCmd, NlmFlag, ipvsCmdName, readHeader, type IpvsMessage } from 'ipvs-netlink';
import { FakeIpvsKernel } from 'ipvs-netlink/testing';
import type { LbTableView } from '../../actors/lvs/lb-port.js';
import { openIpvsTable, type IpvsTableOpen } from '../../adapters/linux/lb-ipvs.js';
import { NetnsLab, isRoot, rootTitle } from '../helpers/netns.js';
import { add, addD, del, delD, harness, open, rs, setD, svc } from './ipvs-harness.js';

/** The IPVS commands sent since `from`, as "CMD address:port weight" lines (dumps as "DUMP CMD"). */
function sent(kernel: FakeIpvsKernel, from = 0): string[] {
  return kernel.requests.slice(from).flatMap((b) => {
    const h = readHeader(b);
    if (h.type !== kernel.familyId) return [];
    const m = kernelMsg(kernel, b);
    const name = ipvsCmdName(m.cmd).replace('IPVS_CMD_', '');
    const s = m.service ? ` ${m.service.fwmark ? `fwm${m.service.fwmark}` : `${m.service.address}:${m.service.port}`}` : '';
    if ((h.flags & NlmFlag.DUMP) === NlmFlag.DUMP) return [`DUMP ${name}${s}`];
    const d = m.dest ? ` -> ${m.dest.address}:${m.dest.port} w${m.dest.weight}` : '';
    return [`${name}${s}${d}`];
  });
}
const kernelMsg = (k: FakeIpvsKernel, b: Uint8Array): IpvsMessage => k.ipvsRequests()[k.requests.filter((r) => readHeader(r).type === k.familyId).indexOf(b)]!;

const web = svc();
const ipvsWeb = { af: AF_INET, protocol: IPPROTO_TCP, address: '203.0.113.10', port: 80, scheduler: 'rr', flags: 2, timeout: 0, netmask: '255.255.255.255' };
const kdest = (last: number, weight: number) => ({ addressFamily: AF_INET, address: `198.51.100.${last}`, port: 80, fwdMethod: FwdMethod.MASQ, weight, uThreshold: 0, lThreshold: 0 });
const start = [add(web), addD(web, rs(21)), addD(web, rs(22, { weight: 3 }))];

describe('opening the IPVS backend', () => {
  it('reports a kernel without IPVS as a value, never throwing', async () => {
    const r = await open(new FakeIpvsKernel({ absent: true }));
    expect(r).toMatchObject({ ok: false, reason: 'absent' });
    expect(!r.ok && r.message).toContain('the kernel has no IPVS');
  });

  it('reads GET_INFO as keepalived does', async () => {
    const h = await harness();
    expect(h.table.info).toEqual({ version: 0x010201, connTabSize: 4096 });
    expect(sent(h.kernel)).toEqual(['GET_INFO']);
  });
});

describe('reconciling with the kernel table', () => {
  it('at start, changes only what differs from what the kernel already holds', async () => {
    const kernel = new FakeIpvsKernel();
    // left over from an earlier run: our service, .21 with the wrong weight, a stray .23; and someone else's service
    kernel.putService(ipvsWeb, [kdest(21, 5), kdest(23, 1)]);
    kernel.putService({ ...ipvsWeb, port: 443 }, [kdest(40, 1)]);
    const h = await harness({}, kernel);
    const from = kernel.requests.length;
    expect(await h.apply(start)).toEqual([]);
    expect(sent(kernel, from)).toEqual([
      'DUMP GET_SERVICE',
      'DUMP GET_DEST 203.0.113.10:80',
      'DUMP GET_DEST 203.0.113.10:443',
      'SET_DEST 203.0.113.10:80 -> 198.51.100.21:80 w1',
      'NEW_DEST 203.0.113.10:80 -> 198.51.100.22:80 w3',
      'DEL_DEST 203.0.113.10:80 -> 198.51.100.23:80 w1',
    ]);
    expect(kernel.table.get(`2/6/203.0.113.10/443`)!.dests.length).toBe(1);
    expect(h.logs.some((l) => l.includes('reconciling 1 difference'))).toBe(true);
  });

  it('sends nothing when the same commands come again', async () => {
    const h = await harness();
    await h.apply(start);
    const from = h.kernel.requests.length;
    expect(await h.apply(start)).toEqual([]);
    expect(sent(h.kernel, from)).toEqual([]);
  });

  it('recreates a service deleted behind its back (ESRCH) with all its destinations', async () => {
    const h = await harness();
    await h.apply(start);
    h.kernel.table.clear();
    const from = h.kernel.requests.length;
    expect(await h.apply([setD(web, rs(21, { weight: 0 }))])).toEqual([]);
    expect(sent(h.kernel, from)).toEqual([
      'SET_DEST 203.0.113.10:80 -> 198.51.100.21:80 w0',
      'DUMP GET_SERVICE',
      'NEW_SERVICE 203.0.113.10:80',
      'NEW_DEST 203.0.113.10:80 -> 198.51.100.21:80 w0',
      'NEW_DEST 203.0.113.10:80 -> 198.51.100.22:80 w3',
    ]);
    expect(h.logs).toContain('info: IPVS cmd IP_VS_SO_SET_EDITDEST(1161) error: Service not defined(3) (203.0.113.10:tcp:80 -> 198.51.100.21:80)');
  });

  it('turns setDest on a missing destination into NEW_DEST, known or discovered', async () => {
    const h = await harness();
    await h.apply([add(web), addD(web, rs(21))]);
    let from = h.kernel.requests.length;
    // we know .22 is not there: straight to NEW_DEST
    expect(await h.apply([setD(web, rs(22, { weight: 2 }))])).toEqual([]);
    expect(sent(h.kernel, from)).toEqual(['NEW_DEST 203.0.113.10:80 -> 198.51.100.22:80 w2']);
    // .21 removed behind our back: SET_DEST fails with ENOENT, the read finds it gone, NEW_DEST
    h.kernel.table.get('2/6/203.0.113.10/80')!.dests.splice(0, 1);
    from = h.kernel.requests.length;
    expect(await h.apply([setD(web, rs(21, { weight: 4 }))])).toEqual([]);
    expect(sent(h.kernel, from)).toEqual([
      'SET_DEST 203.0.113.10:80 -> 198.51.100.21:80 w4',
      'DUMP GET_SERVICE',
      'DUMP GET_DEST 203.0.113.10:80',
      'NEW_DEST 203.0.113.10:80 -> 198.51.100.21:80 w4',
    ]);
    expect(h.logs).toContain('info: IPVS cmd IP_VS_SO_SET_EDITDEST(1161) error: No such destination(2) (203.0.113.10:tcp:80 -> 198.51.100.21:80)');
  });

  it('a destination someone else added first (EEXIST) ends with our weight', async () => {
    const h = await harness();
    await h.apply([add(web)]);
    h.kernel.table.get('2/6/203.0.113.10/80')!.dests.push(kdest(21, 9));
    const from = h.kernel.requests.length;
    expect(await h.apply([addD(web, rs(21))])).toEqual([]);
    expect(sent(h.kernel, from)).toEqual(['NEW_DEST 203.0.113.10:80 -> 198.51.100.21:80 w1', 'DUMP GET_SERVICE', 'DUMP GET_DEST 203.0.113.10:80', 'SET_DEST 203.0.113.10:80 -> 198.51.100.21:80 w1']);
    expect(h.kernel.table.get('2/6/203.0.113.10/80')!.dests[0]!.weight).toBe(1);
  });

  it('deletes of what is already gone send nothing', async () => {
    const h = await harness();
    await h.apply(start);
    h.kernel.table.get('2/6/203.0.113.10/80')!.dests.splice(1, 1);
    await h.apply([setD(web, rs(21, { weight: 1 }))]); // nothing to do, nothing sent, no read
    const from = h.kernel.requests.length;
    // .22 is gone, but we still believe it is there: DEL_DEST answers ENOENT, the read confirms
    expect(await h.apply([delD(web, rs(22, { weight: 3 }))])).toEqual([]);
    expect(sent(h.kernel, from)).toEqual(['DEL_DEST 203.0.113.10:80 -> 198.51.100.22:80 w3', 'DUMP GET_SERVICE', 'DUMP GET_DEST 203.0.113.10:80']);
    const again = h.kernel.requests.length;
    expect(await h.apply([delD(web, rs(22, { weight: 3 })), del(svc({ port: 81 }))])).toEqual([]);
    expect(sent(h.kernel, again)).toEqual([]);
  });

  it('a changed service (reload) is SET_SERVICE, and its destinations stay', async () => {
    const h = await harness();
    await h.apply(start);
    const from = h.kernel.requests.length;
    expect(await h.apply([add(svc({ scheduler: 'wlc', persistenceTimeoutS: 60, netmask: '255.255.255.0' }))])).toEqual([]);
    expect(sent(h.kernel, from)).toEqual(['SET_SERVICE 203.0.113.10:80']);
    const m = h.kernel.ipvsRequests().at(-1)!;
    expect(m.service).toMatchObject({ scheduler: 'wlc', flags: 1, timeout: 60, netmask: '255.255.255.0' });
    expect(h.kernel.table.get('2/6/203.0.113.10/80')!.dests.length).toBe(2);
  });

  it('reports what the kernel keeps refusing, once per apply, and tries again at the next', async () => {
    const h = await harness({ schedulers: ['rr'] });
    const bad = svc({ scheduler: 'wlc', port: 8080 });
    const errors = await h.apply([add(web), add(bad), addD(bad, rs(21))]);
    expect(errors.map((e) => [e.command.cmd, e.message])).toEqual([
      ['addService', 'IPVS cmd IP_VS_SO_SET_ADD(1153) error: Scheduler or persistence engine not found(2) (203.0.113.10:tcp:8080)'],
      ['addDest', 'IPVS cmd IP_VS_SO_SET_ADD(1153) error: Scheduler or persistence engine not found(2) (203.0.113.10:tcp:8080)'],
    ]);
    // the good service went in
    expect(h.kernel.table.has('2/6/203.0.113.10/80')).toBe(true);
    const from = h.kernel.requests.length;
    expect((await h.apply([])).length).toBe(0);
    // the next apply reads again and retries the service once (the scheduler is still missing)
    expect(sent(h.kernel, from)).toEqual(['DUMP GET_SERVICE', 'DUMP GET_DEST 203.0.113.10:80', 'NEW_SERVICE 203.0.113.10:8080']);
  });

  it('retries a delete the kernel refused', async () => {
    const h = await harness();
    await h.apply(start);
    h.kernel.failNext('EBUSY', IpvsCmd.DEL_SERVICE);
    expect(await h.apply([del(web)])).toEqual([]);
    expect(h.kernel.table.size).toBe(0);
    expect(sent(h.kernel).slice(-4)).toEqual(['DEL_SERVICE 203.0.113.10:80', 'DUMP GET_SERVICE', 'DUMP GET_DEST 203.0.113.10:80', 'DEL_SERVICE 203.0.113.10:80']);
  });

  it('reports a table it cannot read against every command, and recovers', async () => {
    const h = await harness();
    h.kernel.failNext('ENOMEM', IpvsCmd.GET_SERVICE);
    const errors = await h.apply(start);
    expect(errors.length).toBe(3);
    expect(errors[0]!.message).toMatch(/can't read the kernel's table/);
    expect(h.kernel.table.size).toBe(0);
    expect(await h.apply([])).toEqual([]);
    expect(h.kernel.table.get('2/6/203.0.113.10/80')!.dests.length).toBe(2);
  });

  it('without CAP_NET_ADMIN every change fails with EPERM, as a value', async () => {
    const kernel = new FakeIpvsKernel();
    const h = await harness({}, kernel);
    kernel.unprivileged = true;
    const errors = await h.apply(start);
    expect(errors.length).toBe(3);
    expect(errors.every((e) => e.message.includes("can't read the kernel's table"))).toBe(true);
  });
});

describe('what goes on the wire', () => {
  it('fwmark services, DR and TUN destinations follow keepalived', async () => {
    const h = await harness();
    const fwm = svc({ fwmark: 7, protocol: undefined, address: undefined, port: undefined, scheduler: 'sh', flags: ['sh-port', 'sh-fallback'] });
    const tunVs = svc({ port: 8080 });
    await h.apply([
      add(fwm),
      addD(fwm, rs(21, { method: 'DR', port: 80 })),
      addD(fwm, rs(22, { method: 'NAT', port: 8080 })),
      add(tunVs),
      addD(tunVs, rs(23, { method: 'TUN', port: 80, tunnel: { type: 'gue', port: 6080, checksum: 'remcsum' } })),
      addD(tunVs, rs(24, { method: 'TUN', port: 80 })),
    ]);
    const reqs = h.kernel.ipvsRequests().filter((m) => m.cmd === IpvsCmd.NEW_DEST);
    expect(reqs.map((m) => [m.service!.fwmark ?? m.service!.port, m.service!.flags, m.dest!.port, m.dest!.fwdMethod, m.dest!.tunType, m.dest!.tunPort, m.dest!.tunFlags])).toEqual([
      [7, 0x18, 0, FwdMethod.DROUTE, undefined, undefined, undefined],
      [7, 0x18, 8080, FwdMethod.MASQ, undefined, undefined, undefined],
      [8080, 0, 8080, FwdMethod.TUNNEL, 1, 6080, 2],
      [8080, 0, 8080, FwdMethod.TUNNEL, 0, undefined, undefined],
    ]);
  });

  it('refuses what IPVS has no module for, with the names it knows', async () => {
    const h = await harness();
    expect(h.table.refuses(svc({ scheduler: 'wrr' }), ['NAT', 'DR', 'TUN'])).toBeUndefined();
    expect(h.table.refuses(svc({ scheduler: 'roundrobin' }), ['NAT'])).toMatch(/unknown IPVS scheduler 'roundrobin' \(known: rr, wrr/);
    expect(h.table.refuses(svc({ flags: ['sh-prot'] }), ['NAT'])).toBe("unknown IPVS scheduler flag 'sh-prot'");
    expect(h.table.refuses(svc({ pe: 'http' }), ['NAT'])).toMatch(/persistence engine 'http'/);
  });

  it('shows the table as the kernel holds it, ours first, others after', async () => {
    const kernel = new FakeIpvsKernel();
    kernel.putService({ ...ipvsWeb, port: 443 }, [kdest(40, 2)]);
    const h = await harness({}, kernel);
    await h.apply([add(web), addD(web, rs(21)), setD(web, rs(21, { weight: 0 }))]);
    const v = await h.view();
    expect(v.backend).toBe('ipvs');
    expect(v.services.map((s) => [s.service.port, s.destinations.map((d) => `${d.address}:${d.port} w${d.weight} ${d.method}`)])).toEqual([
      [80, ['198.51.100.21:80 w0 NAT']],
      [443, ['198.51.100.40:80 w2 NAT']],
    ]);
  });
});

describe('global duties: lvs_timeouts, lvs_flush, lvs_flush_on_stop, lvs_sync_daemon', () => {
  it('sets timeouts at start and puts the kernel values back at stop', async () => {
    const h = await harness();
    h.kernel.timeouts = { tcp: 900, tcpFin: 120, udp: 300 };
    expect(await h.startup({ lvsTimeouts: { tcp: 7200, udp: 60 }, lvsFlush: true })).toEqual([]);
    expect(h.kernel.timeouts).toEqual({ tcp: 7200, tcpFin: 120, udp: 60 });
    await h.apply(start);
    expect(await h.shutdown({ lvsTimeouts: { tcp: 7200, udp: 60 }, lvsFlushOnStop: 'full' })).toEqual([]);
    expect(h.kernel.timeouts).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    expect(h.kernel.table.size).toBe(0);
    expect(sent(h.kernel)).toEqual(['GET_INFO', 'GET_CONFIG', 'SET_CONFIG', 'FLUSH', 'DUMP GET_SERVICE', 'NEW_SERVICE 203.0.113.10:80', 'NEW_DEST 203.0.113.10:80 -> 198.51.100.21:80 w1', 'NEW_DEST 203.0.113.10:80 -> 198.51.100.22:80 w3', 'FLUSH', 'SET_CONFIG']);
    const setConfigs = h.kernel.ipvsRequests().filter((m) => m.cmd === IpvsCmd.SET_CONFIG).map((m) => m.timeouts);
    expect(setConfigs).toEqual([{ tcp: 7200, udp: 60 }, { tcp: 900, tcpFin: 120, udp: 300 }]);
  });

  it('lvs_flush at start removes whatever was there, ours or not', async () => {
    const kernel = new FakeIpvsKernel();
    kernel.putService({ ...ipvsWeb, port: 443 }, [kdest(40, 2)]);
    const h = await harness({}, kernel);
    await h.startup({ lvsFlush: true });
    await h.apply(start);
    expect([...kernel.table.keys()]).toEqual(['2/6/203.0.113.10/80']);
  });

  it('runs the sync daemons itself only without a VRRP instance, and reports what the kernel refuses', async () => {
    const h = await harness();
    expect(await h.startup({ lvsSyncDaemon: { interface: 'eth0', instance: 'VI_1' } })).toEqual([]);
    expect(h.kernel.daemons.size).toBe(0);
    expect(await h.startup({ lvsSyncDaemon: { interface: 'eth0', syncId: 3, group: '224.0.0.81' } })).toEqual([]);
    expect([...h.kernel.daemons.values()].map((d) => [d.state, d.mcastIfn, d.syncId, d.mcastGroup])).toEqual([
      [1, 'eth0', 3, '224.0.0.81'],
      [2, 'eth0', 3, '224.0.0.81'],
    ]);
    // starting again stops the old ones first (DEL_DAEMON), as keepalived does
    expect(await h.startup({ lvsSyncDaemon: { interface: 'eth1' } })).toEqual([]);
    expect([...h.kernel.daemons.values()].map((d) => d.mcastIfn)).toEqual(['eth1', 'eth1']);
    h.kernel.failNext('EBUSY', IpvsCmd.DEL_DAEMON);
    expect(await h.shutdown({ lvsSyncDaemon: { interface: 'eth1' } })).toEqual(['IPVS cmd IP_VS_SO_SET_STOPDAEMON(1158) error: EBUSY(16)']);
  });
});

// The real kernel, inside a namespace of our own (IPVS tables are per namespace). Resolving the
// family would load the ip_vs module where it is a loadable module, changing the host: skipped then.
const ipvsLoaded = existsSync('/sys/module/ip_vs');
const depFile = `/lib/modules/${release()}/modules.dep`;
const ipvsLoadable = !ipvsLoaded && existsSync(depFile) && /\/ip_vs\.ko/.test(readFileSync(depFile, 'utf8'));

describe.skipIf(!isRoot || ipvsLoadable)(rootTitle('the IPVS backend on the real kernel'), () => {
  const lab = new NetnsLab('kts-ipvs-');
  afterAll(() => lab.cleanup());

  it(ipvsLoaded ? 'programs, reads back and removes a table in a namespace' : 'reports the missing IPVS as a value from inside a namespace', async () => {
    const ns = await lab.namespace('d');
    const r = await new Promise<IpvsTableOpen>((res) => openIpvsTable({ netns: ns }, res));
    if (!ipvsLoaded) {
      expect(r).toMatchObject({ ok: false, reason: 'absent' });
      return;
    }
    if (!r.ok) throw new Error(r.message);
    const t = r.table;
    const apply = (c: Parameters<typeof t.apply>[0]) => new Promise<unknown[]>((res) => t.apply(c, res));
    expect(await apply(start)).toEqual([]);
    const v = await new Promise<LbTableView>((res) => t.view(res));
    expect(v.services[0]!.destinations.map((d) => d.weight)).toEqual([1, 3]);
    expect(await apply([delD(web, rs(21)), delD(web, rs(22, { weight: 3 })), del(web)])).toEqual([]);
    t.close();
  });
});
