/**
 * VRRP codec throughput: encode (full frame) and decode+validate, packets per second, for
 * v2, v2+AH, v3 IPv4 and v3 IPv6.  Run: npx tsx bench/codec.bench.ts [seconds-per-case]
 */
import { parseMac } from '../protocol/addr.js';
import { parseFrame } from '../protocol/frame.js';
import {
  authDataFromPassword,
  buildVrrpFrame,
  validateAdvert,
  type VrrpExpectations,
  type VrrpFrameSpec,
} from '../protocol/vrrp/index.js';

const KEY = authDataFromPassword('secret');
const MAC = parseMac('02:00:00:00:00:01')!;
const V4 = { family: 4, vrid: 51, priority: 150, advertIntervalCs: 100, addresses: ['198.51.100.100', '198.51.100.101'], srcMac: MAC, src: '198.51.100.11' } as const;
const X4: VrrpExpectations = { family: 4, version: 2, vrids: [51], authKind: 'none', advertIntervalCs: 100, vips: ['198.51.100.100', '198.51.100.101'] };

const CASES: Array<{ name: string; spec: VrrpFrameSpec; expect: VrrpExpectations }> = [
  { name: 'v2', spec: { ...V4, version: 2, addresses: [...V4.addresses] }, expect: X4 },
  { name: 'v2+AH', spec: { ...V4, version: 2, addresses: [...V4.addresses], authKind: 'ah', authKey: KEY, ahSequence: 7 }, expect: { ...X4, authKind: 'ah', authKey: KEY } },
  { name: 'v3 IPv4', spec: { ...V4, version: 3, addresses: [...V4.addresses] }, expect: { ...X4, version: 3 } },
  {
    name: 'v3 IPv6',
    spec: { version: 3, family: 6, vrid: 51, priority: 150, advertIntervalCs: 100, addresses: ['fe80::51', '2001:db8::100'], srcMac: MAC, src: 'fe80::11' },
    expect: { family: 6, version: 3, vrids: [51], authKind: 'none', advertIntervalCs: 100, vips: ['fe80::51', '2001:db8::100'] },
  },
];

function rate(seconds: number, fn: () => void): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

const seconds = Number(process.argv[2] ?? 1);
console.log(`VRRP codec throughput (${seconds} s per case, node ${process.version})`);
console.log('case      encode frame/s   decode+validate/s');
for (const c of CASES) {
  const frame = buildVrrpFrame(c.spec);
  let sink = 0;
  const enc = rate(seconds, () => {
    sink += buildVrrpFrame(c.spec).length;
  });
  const dec = rate(seconds, () => {
    const p = parseFrame(frame);
    if (p.kind !== 'vrrp' || !p.advert.ok) throw new Error('decode failed');
    const v = validateAdvert(p.advert.value, { ...c.expect, ahSequence: 0 });
    if (!v.ok) throw new Error(`${v.reason}: ${v.detail}`);
    sink += 1;
  });
  console.log(`${c.name.padEnd(9)} ${Math.round(enc).toLocaleString('en-US').padStart(14)}   ${Math.round(dec).toLocaleString('en-US').padStart(17)}${sink < 0 ? '!' : ''}`);
}
