/**
 * A steady master's adverts sent by the socket's own thread (VrrpIo.repeatAdvert, the addon's
 * repeating slots), on the real kernel (root, network namespaces via DaemonLab): one daemon of
 * ours is master of an IPv4 and an IPv6 instance while the other host captures what goes on the
 * wire. The adverts leave an interval apart, each IPv4 one with the next ID and a header that
 * verifies; the status counts them (adverts_sent) and says the thread sent them
 * (adverts_repeated); a priority change (track_file) shows in the next adverts with the ID
 * sequence unbroken; a reload that adds a VIP shows in the adverts without a state change; the
 * stop sends priority 0 with the next ID and nothing after it. With the first sending thread's CPU
 * taken away (a busy loop above it, pinned there, as a VM's host takes a vCPU) the second thread,
 * on the other CPU, keeps the adverts an interval apart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFrame } from '../../protocol/frame.js';
import { parseIpv4Packet } from '../../protocol/ipv4.js';
import { readPcap } from '../../protocol/pcap.js';
import type { DaemonStatus } from '../../adapters/node/daemon/status.js';
import { DaemonLab, sleep, type DaemonHandle } from '../helpers/daemon-lab.js';
import { isRoot, rootTitle, waitFor, type LabProcess } from '../helpers/netns.js';
import { runCli } from '../helpers/cli-process.js';
import { availableParallelism } from 'node:os';
import { hogCpu, senderThreads } from '../helpers/cpu-hog.js';

interface Seen {
  atMs: number;
  vrid: number;
  priority: number;
  addresses: string[];
  /** IPv4 only */
  id?: number;
  headerOk?: boolean;
}

describe.skipIf(!isRoot)(rootTitle('adverts repeated by the socket\'s thread'), () => {
  const lab = new DaemonLab('kts-rep-');
  let ours: DaemonHandle;
  let capture: LabProcess;
  const pcap = (): string => join(lab.dir, 'adverts.pcap');
  const trackFile = (): string => join(lab.dir, 'prio');
  const conf = (vips4: string[]): string => `
global_defs {
  router_id rep-a
}
vrrp_track_file prio {
  file ${trackFile()}
  weight 1
}
vrrp_instance VI_4 {
  state MASTER
  interface kia
  virtual_router_id 61
  priority 150
  advert_int 1
  track_file {
    prio
  }
  virtual_ipaddress {
${vips4.map((v) => `    ${v}`).join('\n')}
  }
}
vrrp_instance VI_6 {
  state MASTER
  interface kia
  virtual_router_id 62
  priority 150
  advert_int 1
  virtual_ipaddress {
    2001:db8::62/64
  }
}
`;

  /** Every VRRP advert from host a in the capture so far, in order. */
  const adverts = (): Seen[] => {
    const file = readPcap(readFileSync(pcap()));
    if (!file.ok) return [];
    const out: Seen[] = [];
    for (const r of file.value.records) {
      const f = parseFrame(r.data);
      if (f.kind !== 'vrrp' || !f.advert.ok) continue;
      const a = f.advert.value;
      if (a.src.text !== lab.host('a').ipv4 && !a.src.text.startsWith('fe80:')) continue;
      const seen: Seen = { atMs: r.tsSec * 1000 + r.tsUsec / 1000, vrid: a.vrid, priority: a.priority, addresses: a.addresses.map((x) => x.text) };
      if (a.family === 4) {
        const ip = parseIpv4Packet(f.eth.payload);
        if (ip.ok) Object.assign(seen, { id: ip.value.id, headerOk: ip.value.headerChecksumOk });
      }
      out.push(seen);
    }
    return out;
  };
  const of = (vrid: number): Seen[] => adverts().filter((a) => a.vrid === vrid);
  /** IDs one after another (1 after 0xffff, as the daemon counts). */
  const consecutive = (ids: number[]): boolean => ids.every((id, i) => i === 0 || id === (ids[i - 1]! >= 0xffff ? 1 : ids[i - 1]! + 1));
  const status = async (): Promise<DaemonStatus> => {
    const r = await runCli(['status', '--json', '-p', ours.pidFiles.parent]);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as DaemonStatus;
  };

  beforeAll(async () => {
    await lab.setup(['a', 'b']);
    writeFileSync(trackFile(), '0\n');
    const b = lab.host('b');
    capture = lab.net.spawn(b.ns, ['tcpdump', '-U', '-n', '-i', b.ifname, '-w', pcap(), 'ip proto 112 or ip6 proto 112']);
    await capture.waitFor(/listening on/, 10_000);
    ours = lab.startOurs(lab.host('a'), conf(['198.51.100.140/24']));
    await ours.proc.waitFor(/\(VI_4\) Entering MASTER STATE/, 30_000);
    await ours.proc.waitFor(/\(VI_6\) Entering MASTER STATE/, 30_000);
  }, 90_000);
  afterAll(async () => {
    await capture?.stop();
    await lab.cleanup();
  });

  it('sends them an interval apart, with the next IPv4 ID each time, counted in the status as sent by the thread', async () => {
    await sleep(5500);
    const v4 = of(61);
    const v6 = of(62);
    for (const list of [v4, v6]) {
      expect(list.length).toBeGreaterThanOrEqual(5);
      expect(list.every((a) => a.priority === 150)).toBe(true);
      const gaps = list.slice(2).map((a, i) => a.atMs - list[i + 1]!.atMs);
      // One advert an interval: none missed, none doubled. The bounds leave room for the VM's
      // stalls (up to tens of ms), which delay one advert and shorten the next interval as much.
      for (const gap of gaps) {
        expect(gap).toBeGreaterThan(950);
        expect(gap).toBeLessThan(1100);
      }
    }
    expect(v4.every((a) => a.headerOk)).toBe(true);
    expect(consecutive(v4.map((a) => a.id!))).toBe(true);
    expect(v6[0]!.addresses).toEqual(['2001:db8::62']);
    const s = await status();
    const captured = of(61).length;
    const sent = s.instances.find((i) => i.name === 'VI_4')!.counters['adverts_sent']!;
    expect(sent).toBeGreaterThanOrEqual(captured);
    expect(sent).toBeLessThanOrEqual(captured + 1);
    // All but the first advert of each instance (sent on entering MASTER) left from the thread.
    expect(s.counters.vrrp!['adverts_repeated']).toBeGreaterThanOrEqual(2 * (captured - 2));
  }, 30_000);

  it.skipIf(availableParallelism() < 2)('keeps them an interval apart while the first sending thread\'s CPU is taken (the second sends them)', async () => {
    const threads = senderThreads(ours.pid('vrrp')!);
    const first = threads.get('advert-backstop')!;
    // Each pinned to one CPU: the first cannot move away from the loop, so what leaves on time
    // while it runs was sent by the second.
    expect(first).toMatch(/^\d+$/);
    expect(threads.get('advert-cover')).toMatch(/^\d+$/);
    expect(threads.get('advert-cover')).not.toBe(first);
    const before = of(61).length;
    const t0 = Date.now();
    await hogCpu(first, 2600);
    const hogMs = Date.now() - t0;
    await sleep(1200);
    const v4 = of(61).slice(before - 1);
    // About three adverts were due while the CPU was gone; each left an interval after the one
    // before, not when the CPU came back (that would be a gap of up to 2.6 s).
    expect(v4.length).toBeGreaterThanOrEqual(Math.floor(hogMs / 1000) + 2);
    for (const [i, a] of v4.slice(1).entries()) {
      const gap = a.atMs - v4[i]!.atMs;
      expect(gap).toBeGreaterThan(950);
      expect(gap).toBeLessThan(1100);
    }
    expect(consecutive(v4.map((a) => a.id!))).toBe(true);
  }, 20_000);

  it('carries a new priority in the next adverts, the ID sequence unbroken', async () => {
    const before = of(61).length;
    writeFileSync(trackFile(), '30\n');
    await waitFor(() => of(61).slice(before).some((a) => a.priority === 180), { timeoutMs: 8000, intervalMs: 200, what: 'an advert at priority 180' });
    await sleep(2200);
    const after = of(61).slice(before - 1);
    const firstNew = after.findIndex((a) => a.priority === 180);
    expect(firstNew).toBeGreaterThan(0);
    expect(after.slice(0, firstNew).every((a) => a.priority === 150)).toBe(true);
    expect(after.slice(firstNew).every((a) => a.priority === 180)).toBe(true);
    expect(after.length - firstNew).toBeGreaterThanOrEqual(2);
    expect(consecutive(after.map((a) => a.id!))).toBe(true);
    expect(after.every((a) => a.headerOk)).toBe(true);
  }, 20_000);

  it('carries a VIP added by a reload without a state change, and sends priority 0 with the next ID at the stop, nothing after', async () => {
    const before = of(61).length;
    const mark = ours.log().length;
    ours.writeConf(conf(['198.51.100.140/24', '198.51.100.141/24']));
    ours.signal('SIGHUP');
    await waitFor(() => of(61).slice(before).some((a) => a.addresses.length === 2), { timeoutMs: 8000, intervalMs: 200, what: 'an advert with two VIPs' });
    await sleep(1200);
    expect(ours.log(mark)).toMatch(/Reload/i);
    expect(ours.log(mark)).not.toMatch(/Entering \w+ STATE/);
    const reloaded = of(61).slice(before - 1);
    expect(consecutive(reloaded.map((a) => a.id!))).toBe(true);
    const n = of(61).length;
    ours.signal('SIGTERM');
    await waitFor(() => of(61).slice(n).some((a) => a.priority === 0), { timeoutMs: 8000, intervalMs: 100, what: 'the priority-0 advert' });
    await sleep(2500);
    const tail = of(61).slice(n - 1);
    const zero = tail.findIndex((a) => a.priority === 0);
    expect(zero).toBe(tail.length - 1);
    expect(consecutive(tail.map((a) => a.id!))).toBe(true);
    expect(of(62).at(-1)!.priority).toBe(0);
  }, 30_000);
});
