/**
 * Test helper, run inside a network namespace by keepalived-interop.test.ts:
 *   ip netns exec NS node --import tsx send-raw.ts IFNAME INTERVAL_MS ROUND_HEX,ROUND_HEX ...
 * Each argument after the interval is one round: comma-separated packets, sent back to back.
 * IPv4 packets (first nibble 4) are complete datagrams sent with IP_HDRINCL; IPv6 packets are
 * "v6|<dst>|<hex VRRP message>" sent on a raw IPPROTO_VRRP socket with hop limit 255.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const raw = require('raw-socket') as {
  createSocket(o: { protocol: number; addressFamily?: number }): RawSocket;
  AddressFamily: { IPv4: number; IPv6: number };
};
interface RawSocket {
  setOption(level: number, option: number, value: Buffer | number, length?: number): void;
  send(b: Buffer, off: number, len: number, addr: string, cb: (err: Error | null) => void): void;
  close(): void;
}

const [ifname, intervalText, ...rounds] = process.argv.slice(2);
if (!ifname || !intervalText) throw new Error('usage: send-raw.ts IFNAME INTERVAL_MS ROUND...');
const ifindex = Number(readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8'));
const dev = Buffer.from(`${ifname}\0`);

const v4 = raw.createSocket({ protocol: 255 }); // IPPROTO_RAW: IP_HDRINCL implied
v4.setOption(1, 25, dev, dev.length); // SO_BINDTODEVICE
const mreqn = Buffer.alloc(12);
mreqn.writeInt32LE(ifindex, 8);
v4.setOption(0, 32, mreqn, 12); // IP_MULTICAST_IF

const v6 = raw.createSocket({ protocol: 112, addressFamily: raw.AddressFamily.IPv6 });
v6.setOption(1, 25, dev, dev.length);
v6.setOption(41, 18, 255); // IPV6_MULTICAST_HOPS
v6.setOption(41, 17, ifindex); // IPV6_MULTICAST_IF

function sendOne(spec: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null) => (err ? reject(err) : resolve());
    if (spec.startsWith('v6|')) {
      const [, dst, hexMsg] = spec.split('|');
      const b = Buffer.from(hexMsg!, 'hex');
      v6.send(b, 0, b.length, `${dst}%${ifname}`, done);
    } else {
      const b = Buffer.from(spec, 'hex');
      v4.send(b, 0, b.length, `${b[16]}.${b[17]}.${b[18]}.${b[19]}`, done);
    }
  });
}

const interval = Number(intervalText);
for (const round of rounds) {
  for (const spec of round.split(',')) await sendOne(spec);
  await new Promise((r) => setTimeout(r, interval));
}
v4.close();
v6.close();
