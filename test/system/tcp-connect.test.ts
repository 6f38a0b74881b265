/**
 * TCP_CHECK's two connects side by side in namespaces: the bare one (the addon's socket, connect,
 * one epoll set for every connect in flight, SO_ERROR, close: adapters/probe/tcp-socket.ts
 * TcpConnects) and the net.Socket
 * one it falls back to where the addon cannot load. Both must give the same outcome for the
 * same server: connected, refused (RST), timeout at the one deadline (SYN dropped), host
 * unreachable, network unreachable at once, bindto / bind_port as source, bind_if, IPv6; and
 * both close the connection with a FIN right after the handshake, as keepalived does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prober, ProbeTarget } from '../../actors/lvs/prober-port.js';
import type { CheckerConfig } from '../../config/model-lvs.js';
import { createNodeScriptRunner } from '../../adapters/node/scripts.js';
import { netio } from '../../adapters/linux/native.js';
import { createProber } from '../../adapters/probe/prober.js';
import { bareConnects, connectError, targetSockaddr } from '../../adapters/probe/tcp-socket.js';
import { isRoot, NetnsLab, rootTitle, waitFor, type LabProcess } from '../helpers/netns.js';
import { checker, probeLab, probeOnce, S4, S6, startServer } from '../helpers/probe-lab.js';

const t4 = (port: number, address = S4): ProbeTarget => ({ family: 4, address, port });
const t6 = (port: number, address = S6): ProbeTarget => ({ family: 6, address, port });

describe('bare TCP connect: pieces that need no namespace', () => {
  it('the addon has the batched connects, and connectError names errnos like Node', () => {
    expect(typeof netio().tcpStart).toBe('function');
    expect(bareConnects()).toBeDefined();
    expect(bareConnects()).toBe(bareConnects());
    const e = connectError(111);
    expect(e).toMatchObject({ code: 'ECONNREFUSED', errno: 111, syscall: 'connect', message: 'connect: Connection refused' });
    expect(connectError(113).code).toBe('EHOSTUNREACH');
    expect(connectError(11).code).toBe('EAGAIN');
  });

  it('targetSockaddr: sockaddr_in / sockaddr_in6 once per target; undefined for what only net resolves', () => {
    const t = t4(8080);
    const a = targetSockaddr(t)!;
    expect(a.toString('hex')).toBe('0200' + '1f90' + 'c6336402' + '0000000000000000');
    expect(targetSockaddr(t)).toBe(a);
    t.port = 8081; // a changed target is not served from the cache
    expect(targetSockaddr(t)!.readUInt16BE(2)).toBe(8081);
    const b = targetSockaddr(t6(443))!;
    expect(b.length).toBe(28);
    expect(b.readUInt16BE(2)).toBe(443);
    expect(b.subarray(8, 24).toString('hex')).toBe('20010db8000000000000000000000002');
    expect(targetSockaddr({ family: 6, address: 'fe80::1%eth0', port: 80 })).toBeUndefined();
    expect(targetSockaddr({ family: 6, address: S4, port: 80 })).toBeUndefined();
  });
});

describe.skipIf(!isRoot)(rootTitle('TCP_CHECK connect, bare and net.Socket, against real servers in namespaces'), () => {
  const lab = new NetnsLab('kts-tc-');
  const runner = createNodeScriptRunner({ killGraceMs: 300 });
  let c = '';
  let s = '';
  let peer: LabProcess;
  const probers: Record<'bare' | 'stream', Prober> = {} as never;

  const nft = async (ns: string, script: string) => {
    const r = await lab.exec(ns, ['nft', '-f', '-'], { input: script });
    if (r.code !== 0) throw new Error(`nft failed: ${r.stderr}`);
  };
  /** The peer lines the server printed after `from` characters of output. */
  const peers = (from: number) => peer.output().slice(from).split('\n').filter((l) => l.startsWith('peer '));
  const tcp = (extra: Partial<CheckerConfig> = {}) => checker('TCP_CHECK', extra);

  beforeAll(async () => {
    ({ c, s } = await probeLab(lab));
    await lab.exec(c, ['sysctl', '-qw', 'net.ipv4.neigh.vc.mcast_solicit=1']);
    // SYNs to port 9002 vanish: the connect can only end at the deadline.
    await nft(s, 'add table inet tc\nadd chain inet tc in { type filter hook input priority 0; policy accept; }\nadd rule inet tc in tcp dport 9002 drop\n');
    peer = await startServer(lab, s, 'tcp-peer', 9000);
    probers.bare = createProber({ scripts: runner, netns: c });
    probers.stream = createProber({ scripts: runner, netns: c, tcpConnect: 'stream' });
  }, 120_000);

  afterAll(async () => {
    runner.killAll();
    await peer?.stop();
    await lab.cleanup();
  }, 60_000);

  for (const way of ['bare', 'stream'] as const) {
    it(`${way}: connected over IPv4 and IPv6, then closed with a FIN`, async () => {
      const p = probers[way];
      const mark = peer.output().length;
      expect((await probeOnce(p, tcp(), t4(9000))).outcome).toEqual({ ok: true });
      expect((await probeOnce(p, tcp(), t6(9000))).outcome).toEqual({ ok: true });
      // A line of the previous test may still come in: look for ours, whatever the order.
      const v4 = /^peer from=::ffff:198\.51\.100\.1:\d+ end=/;
      const v6 = /^peer from=2001:db8::1:\d+ end=/;
      const lines = await waitFor(() => { const l = peers(mark); return l.some((x) => v4.test(x)) && l.some((x) => v6.test(x)) ? l : undefined; }, { timeoutMs: 5000, intervalMs: 50, what: 'the peer lines' });
      expect(lines.filter((x) => v4.test(x) || v6.test(x)).map((x) => x.replace(/.* end=/, ''))).toEqual(['fin', 'fin']);
    }, 30_000);

    it(`${way}: refused by an RST; IPv6 too`, async () => {
      const p = probers[way];
      for (const t of [t4(9001), t6(9001)]) {
        const r = await probeOnce(p, tcp(), t);
        expect(r.outcome).toEqual({ ok: false, failure: 'refused', message: 'failed', detail: 'Connection refused (ECONNREFUSED)' });
        expect(r.ms).toBeLessThan(900);
      }
    }, 30_000);

    it(`${way}: a dropped SYN times out at the one deadline`, async () => {
      const r = await probeOnce(probers[way], tcp(), t4(9002), 700);
      expect(r.outcome).toEqual({ ok: false, failure: 'timeout', message: 'timeout', detail: 'no connection within 700 ms' });
      expect(r.ms).toBeGreaterThanOrEqual(690);
      expect(r.ms).toBeLessThan(1500);
    }, 30_000);

    it(`${way}: no host on the link is unreachable; no route at all fails at once`, async () => {
      const host = await probeOnce(probers[way], tcp(), t4(9000, '198.51.100.9'), 5000);
      expect(host.outcome).toEqual({ ok: false, failure: 'unreachable', message: 'failed', detail: 'No route to host (EHOSTUNREACH)' });
      const net = await probeOnce(probers[way], tcp(), t6(9000, '2001:db8:ffff::1'));
      expect(net.outcome).toEqual({ ok: false, failure: 'unreachable', message: 'failed', detail: 'Network is unreachable (ENETUNREACH)' });
      expect(net.ms).toBeLessThan(100);
    }, 30_000);

    it(`${way}: bindto and bind_port are the source; bind_if binds the device; a bad bindto is a local error`, async () => {
      const p = probers[way];
      const port = way === 'bare' ? 40201 : 40202;
      const mark = peer.output().length;
      expect((await probeOnce(p, tcp({ bindto: '198.51.100.3', bindPort: port }), t4(9000))).outcome).toEqual({ ok: true });
      expect((await probeOnce(p, tcp({ bindto: '2001:db8::1' }), t6(9000))).outcome).toEqual({ ok: true });
      const lines = await waitFor(() => { const l = peers(mark); return l.some((x) => x.includes('2001:db8::1:')) && l.some((x) => x.includes(':198.51.100.3:')) ? l : undefined; }, { timeoutMs: 5000, intervalMs: 50, what: 'the peer lines' });
      expect(lines).toContain(`peer from=::ffff:198.51.100.3:${port} end=fin`);
      expect(lines.find((x) => x.includes('2001:db8::1:'))).toMatch(/^peer from=2001:db8::1:\d+ end=fin$/);
      const before = peer.output().length;
      expect((await probeOnce(p, tcp({ bindIf: 'vc' }), t4(9000))).outcome).toEqual({ ok: true });
      await waitFor(() => peers(before).length >= 1 || undefined, { timeoutMs: 5000, intervalMs: 50, what: 'the bind_if peer line' });
      // Bound to the dummy device the server is not behind: no answer, whatever the error.
      expect((await probeOnce(p, tcp({ bindIf: 'dx' }), t4(9000), 700)).outcome).toMatchObject({ ok: false });
      expect((await probeOnce(p, tcp({ bindto: '203.0.113.99' }), t4(9000))).outcome).toMatchObject({ ok: false, failure: 'local-error', message: 'bindto 203.0.113.99: bind: Cannot assign requested address' });
    }, 30_000);
  }

  it('bare: settle() at the deadline reads the socket now: connected, refused, or still going (undefined); a settled attempt never reports', async () => {
    /** Holds the event loop, as a long GC does: the handshake ends in the kernel, nobody reads it. */
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const got: unknown[] = [];
    const ok = probers.bare.probe({ checker: tcp(), target: t4(9000), timeoutMs: 2000 }, (o) => got.push(o));
    busy(200);
    expect(ok.settle?.()).toEqual({ ok: true });
    const refused = probers.bare.probe({ checker: tcp(), target: t4(9001), timeoutMs: 2000 }, (o) => got.push(o));
    busy(200);
    expect(refused.settle?.()).toEqual({ ok: false, failure: 'refused', message: 'failed', detail: 'Connection refused (ECONNREFUSED)' });
    const dropped = probers.bare.probe({ checker: tcp(), target: t4(9002), timeoutMs: 2000 }, (o) => got.push(o));
    busy(200);
    expect(dropped.settle?.()).toBeUndefined();
    dropped.cancel();
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([]);
    // the stream connect cannot tell: still going, the deadline counts
    const stream = probers.stream.probe({ checker: tcp(), target: t4(9000), timeoutMs: 2000 }, () => {});
    busy(200);
    expect(stream.settle?.()).toBeUndefined();
    stream.cancel();
  }, 30_000);

  it('bare, socket made by the addon (no net_namespace): connected, refused; a burst ending at once, over more than one batch, each answered once, no fd left open', async () => {
    const n = 1500;
    const run = lab.spawn(c, [process.execPath, '--import', 'tsx', 'test/helpers/tcp-burst.ts', S4, '9000', '9001', String(n)]);
    const line = (await run.waitFor(/^result (.*)$/m, 60_000))[1]!;
    expect(JSON.parse(line)).toEqual({ connected: 'ok', refused: 'refused', first: { refused: n }, second: { refused: n }, leakedFds: 0 });
  }, 90_000);

  it('bare: a cancelled attempt never reports, and its socket is closed', async () => {
    const got: unknown[] = [];
    const fds = async () => (await lab.exec(c, ['ss', '-Htn', 'state', 'syn-sent', 'dport', '= :9002'])).stdout.trim().split('\n').filter(Boolean).length;
    const h = probers.bare.probe({ checker: tcp(), target: t4(9002), timeoutMs: 2000 }, (o) => got.push(o));
    await waitFor(async () => ((await fds()) === 1 ? true : undefined), { timeoutMs: 2000, intervalMs: 20, what: 'the SYN_SENT socket' });
    h.cancel();
    expect(await fds()).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual([]);
  }, 30_000);
});
