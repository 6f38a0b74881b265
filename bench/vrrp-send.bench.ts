/**
 * CPU per advert of the daemon's send path alone (root only: a network namespace): VrrpIo.sendAdvert
 * for N IPv4 instances through the real IPv4 VRRP socket (adapters/linux/vrrp4-socket.ts) on a
 * veth, with a RuntimeSink listener on the event types the daemon listens to (role-host.ts HOST_EVENTS;
 * `--all-events`: one on every type, as the daemon has when it writes a trace). No statechart and
 * no timers: what one advert costs from "send it" to the sendmsg(2) returning, kernel included.
 *
 *   npx tsx bench/vrrp-send.bench.ts [--instances 250] [--rounds 400] [--repeats 5] [--all-events]
 *
 * Prints CPU µs per advert for each repeat (process.cpuUsage), and the counters. Figures, not asserts.
 */
import { loadavg } from 'node:os';
import { isRoot, NetnsLab, rootRequiredReason } from '../test/helpers/netns.js';
import { RuntimeSink } from '../actors/sink.js';
import { VrrpIo } from '../actors/vrrp/vrrp-io.js';
import { socketKey } from '../actors/vrrp/names.js';
import type { InstanceIoConfig } from '../actors/vrrp/plan-instance.js';
import { openVrrp4Socket } from '../adapters/linux/vrrp4-socket.js';
import { createNodeClock } from '../adapters/node/clock.js';
import { HOST_EVENTS } from '../adapters/node/daemon/role-host.js';
import { flag } from './lib/flags.js';

const n = Math.min(255, Number(flag('instances', '250')));
const rounds = Number(flag('rounds', '400'));
const repeats = Number(flag('repeats', '5'));
const allEvents = process.argv.includes('--all-events');

async function main(): Promise<void> {
  if (!isRoot) return console.log(`vrrp-send: skipped, ${rootRequiredReason}`);
  const lab = new NetnsLab('kts-send-');
  try {
    const ns = await lab.namespace('node');
    const peer = await lab.namespace('peer');
    await lab.veth({ ns, ifname: 'n0', addresses: ['198.51.100.1/26'] }, { ns: peer, ifname: 'p0', addresses: ['198.51.100.2/26'] });
    const [link] = await lab.ipJson<Array<{ ifindex: number }>>(ns, ['link', 'show', 'n0']);
    const sink = new RuntimeSink(createNodeClock(), { log: () => undefined });
    let events = 0;
    sink.on(
      (e) => {
        if (e.type === 'advert.sent') events++;
      },
      allEvents ? undefined : HOST_EVENTS,
    );
    const io = new VrrpIo(sink);
    const ios: InstanceIoConfig[] = [];
    for (let k = 0; k < n; k++) {
      ios.push({
        name: `VI_${k + 1}`, vrid: k + 1, family: 4, version: 2, ifname: 'n0', vrrpIfname: 'n0', src: '198.51.100.1', mcastGroup: '224.0.0.18',
        unicastPeers: [], unicastTtl: 255, advertIntervalCs: 100, authKind: 'none', v3ChecksumAsV2: false,
        vips: [{ address: `203.0.113.${k + 1}`, prefixLength: 32, family: 4, ifname: 'n0' }], excludedVips: [], routes: [], rules: [],
        expectations: {} as InstanceIoConfig['expectations'], skipCheckAdvAddr: false,
      });
    }
    io.configure(ios);
    const socket = openVrrp4Socket({ family: 4, ifname: 'n0', ifindex: link!.ifindex, netns: ns, groups: ['224.0.0.18'], protocols: [112] }, () => undefined, (m) => console.error(m));
    io.attach(socketKey('n0', 4), socket);
    const round = (): void => {
      for (let r = 0; r < rounds; r++) for (const c of ios) io.sendAdvert(c.name, 200);
    };
    round(); // warm-up
    const perAdvert: string[] = [];
    for (let t = 0; t < repeats; t++) {
      const u0 = process.cpuUsage();
      round();
      const u = process.cpuUsage(u0);
      perAdvert.push(((u.user + u.system) / (rounds * n)).toFixed(2));
    }
    socket.close();
    const c = sink.snapshot();
    console.log(`vrrp-send: ${n} instances x ${rounds} rounds, ${allEvents ? 'a listener on every event type' : "the daemon's event types"}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`  CPU µs per advert: ${perAdvert.join(' ')}`);
    console.log(`  adverts_sent ${c['adverts_sent'] ?? 0}, send_errors ${c['send_errors'] ?? 0}, advert.sent events ${events}`);
  } finally {
    await lab.cleanup();
  }
}

await main();
