import { describe, expect, it } from 'vitest';
import { AF_INET, AF_INET6, FwdMethod, IPPROTO_TCP, IpvsCmd, IpvsError, NlmFlag, openIpvs, readHeader, type IpvsClient, type NetlinkTransport } from 'ipvs-netlink';
import { FakeIpvsKernel } from 'ipvs-netlink/testing';

const web = { af: AF_INET, protocol: IPPROTO_TCP, address: '203.0.113.10', port: 80, scheduler: 'rr' };
const rs = (n: number, weight = 1) => ({ address: `198.51.100.${n}`, port: 80, fwdMethod: FwdMethod.MASQ, weight });

async function open(kernel: FakeIpvsKernel): Promise<IpvsClient> {
  const r = await openIpvs({ transport: kernel });
  if (!r.ok) throw new Error(r.message);
  return r.client;
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    expect(e).toBeInstanceOf(IpvsError);
    return (e as IpvsError).code;
  }
}

describe('openIpvs', () => {
  it('resolves the IPVS family id through nlctrl', async () => {
    const kernel = new FakeIpvsKernel({ familyId: 0x2a });
    const r = await openIpvs({ transport: kernel });
    expect(r.ok && r.client.familyId).toBe(0x2a);
    expect(r.ok && r.family.ops.map((o) => o.id)).toContain(IpvsCmd.GET_DEST);
  });

  it('reports a kernel without IPVS as a value', async () => {
    const kernel = new FakeIpvsKernel({ absent: true });
    const r = await openIpvs({ transport: kernel });
    expect(r).toMatchObject({ ok: false, reason: 'absent', errno: 'ENOENT' });
    expect(kernel.closed).toBe(true);
  });

  it('reports a missing netlink addon as a value', async () => {
    const r = await openIpvs({ netlinkModule: { RawNetlinkSocket: class { constructor() { throw new Error('addon not built'); } } } });
    expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(!r.ok && r.message).toContain('addon not built');
  });

  it('reports no answer as a value after the timeout', async () => {
    const silent: NetlinkTransport = { portId: 1, send() {}, listen() {}, close() {} };
    const timers = { setTimeout: (fn: () => void) => (queueMicrotask(fn), 0), clearTimeout() {} };
    const r = await openIpvs({ transport: silent, timers, timeoutMs: 10 });
    expect(r).toMatchObject({ ok: false, reason: 'error', errno: 'ETIMEDOUT' });
  });
});

describe('IpvsClient against a kernel-like table', () => {
  it('adds, lists, updates and deletes services and destinations', async () => {
    const kernel = new FakeIpvsKernel();
    const c = await open(kernel);
    await c.addService(web);
    await c.addDestination(web, rs(21));
    await c.addDestination(web, rs(22, 3));
    await c.updateDestination(web, rs(22, 0));
    const [svc] = await c.listServices();
    expect(svc).toMatchObject({ ...web, netmask: '255.255.255.255', timeout: 0 });
    expect((await c.listDestinations(web)).map((d) => [d.address, d.weight, d.addressFamily])).toEqual([
      ['198.51.100.21', 1, AF_INET],
      ['198.51.100.22', 0, AF_INET],
    ]);
    await c.deleteDestination(web, rs(21));
    await c.deleteService(web);
    expect(await c.listServices()).toEqual([]);
    expect(await c.getService(web)).toBeUndefined();
  });

  it('maps kernel refusals to errno names', async () => {
    const c = await open(new FakeIpvsKernel());
    expect(await code(c.addDestination(web, rs(21)))).toBe('ESRCH');
    expect(await code(c.addService({ ...web, scheduler: 'nosuch' }))).toBe('ENOENT');
    await c.addService(web);
    expect(await code(c.addService(web))).toBe('EEXIST');
    expect(await code(c.updateDestination(web, rs(21)))).toBe('ENOENT');
    expect(await code(c.deleteDestination(web, rs(21)))).toBe('ENOENT');
    await c.addDestination(web, rs(21));
    expect(await code(c.addDestination(web, rs(21)))).toBe('EEXIST');
    expect(await code(c.deleteService({ ...web, port: 81 }))).toBe('ESRCH');
    expect(await code(c.addDestination({ ...web, af: AF_INET6, address: '2001:db8::1' }, rs(1)))).toBe('ESRCH');
  });

  it('says EPERM without CAP_NET_ADMIN', async () => {
    const c = await open(new FakeIpvsKernel({ unprivileged: true }));
    const err = await c.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IpvsError);
    expect((err as IpvsError).message).toBe('IPVS_CMD_FLUSH: EPERM (operation not permitted (IPVS needs CAP_NET_ADMIN))');
  });

  it('gathers a dump spread over many datagrams', async () => {
    const kernel = new FakeIpvsKernel({ dumpBatch: 2 });
    const c = await open(kernel);
    for (let i = 0; i < 25; i++) await c.addService({ ...web, port: 1000 + i });
    for (let i = 1; i <= 9; i++) await c.addDestination({ ...web, port: 1000 }, rs(i));
    const services = await c.listServices();
    expect(services.map((s) => s.port)).toEqual(Array.from({ length: 25 }, (_, i) => 1000 + i));
    expect(services[0]!.stats64).toBeDefined();
    expect((await c.listDestinations({ ...web, port: 1000 })).length).toBe(9);
    expect(await c.listDestinations({ ...web, port: 9 })).toEqual([]);
    const dumpReq = kernel.requests.filter((m) => (readHeader(m).flags & NlmFlag.DUMP) === NlmFlag.DUMP);
    expect(dumpReq.length).toBe(3);
  });

  it('answers concurrent requests by sequence number', async () => {
    const c = await open(new FakeIpvsKernel());
    await Promise.all(Array.from({ length: 20 }, (_, i) => c.addService({ ...web, port: 2000 + i })));
    expect((await c.listServices()).length).toBe(20);
  });

  it('runs the sync daemon, timeouts, info, zero and flush commands', async () => {
    const kernel = new FakeIpvsKernel();
    const c = await open(kernel);
    expect(await c.getInfo()).toEqual({ version: 0x010201, connTabSize: 4096 });
    expect(await c.getTimeouts()).toEqual({ tcp: 900, tcpFin: 120, udp: 300 });
    await c.setTimeouts({ tcp: 7200, udp: 0 });
    expect(await c.getTimeouts()).toEqual({ tcp: 7200, tcpFin: 120, udp: 300 });
    await c.startDaemon({ state: 1, mcastIfn: 'eth0', syncId: 5 });
    expect(await code(c.startDaemon({ state: 1, mcastIfn: 'eth0', syncId: 5 }))).toBe('EEXIST');
    expect((await c.listDaemons()).map((d) => d.mcastIfn)).toEqual(['eth0']);
    await c.stopDaemon({ state: 1, syncId: 0 });
    expect(await code(c.stopDaemon({ state: 2, syncId: 0 }))).toBe('ESRCH');
    await c.addService(web);
    await c.zero(web);
    await c.zero();
    await c.flush();
    expect(await c.listServices()).toEqual([]);
  });

  it('counts answers that match no request and ignores them', async () => {
    const kernel = new FakeIpvsKernel();
    let deliver: ((d: Uint8Array) => void) | undefined;
    const wrapper: NetlinkTransport = {
      portId: kernel.portId,
      send: (d, done) => kernel.send(d, done),
      listen: (cb, onError) => {
        deliver = cb;
        kernel.listen(cb, onError);
      },
      close: () => kernel.close(),
    };
    const r = await openIpvs({ transport: wrapper });
    if (!r.ok) throw new Error(r.message);
    deliver!(new Uint8Array([1, 2, 3]));
    deliver!(new Uint8Array(20));
    expect(r.client.strays).toBe(2);
    await r.client.addService(web);
    expect(kernel.table.size).toBe(1);
  });

  it('rejects what is outstanding when closed, and anything after', async () => {
    const kernel = new FakeIpvsKernel();
    const c = await open(kernel);
    const pending = c.getInfo();
    c.close();
    await expect(pending).rejects.toThrow(/closed/);
    await expect(c.getInfo()).rejects.toThrow(/closed/);
    expect(kernel.closed).toBe(true);
  });
});
