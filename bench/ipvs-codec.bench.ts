/**
 * IPVS encoder throughput: the messages keepalived would send to program 1,000 services × 10
 * destinations (1,000 NEW_SERVICE + 10,000 NEW_DEST, keepalived's attribute layout), built from
 * the load-balancer port's commands through the IPVS backend's rules and ipvs-netlink's encoder;
 * then decoding them back; then the whole backend applying that table to ipvs-netlink's
 * kernel-like fake (reads, requests, ACKs, our table bookkeeping), which bounds what the daemon
 * itself adds on top of the kernel.   Run: npx tsx --conditions=ipvs-netlink-source bench/ipvs-codec.bench.ts [seconds]
 */
import { IpvsCmd, NlmFlag, Writer, decodeIpvsMessage, writeIpvsMessage, type IpvsMessage } from 'ipvs-netlink';
import { FakeIpvsKernel } from 'ipvs-netlink/testing';
import type { LbCommand, LbDestination, LbService } from '../actors/lvs/lb-port.js';
import { ipvsDest, ipvsService } from '../adapters/linux/ipvs-rules.js';
import { openIpvsTable, type IpvsTable } from '../adapters/linux/lb-ipvs.js';

const SERVICES = 1000;
const DESTS = 10;
const seconds = Number(process.argv[2] ?? 1);

function table(): Array<{ service: LbService; dests: LbDestination[] }> {
  const out = [];
  for (let i = 0; i < SERVICES; i++) {
    const service: LbService = { family: 4, protocol: 'tcp', address: `203.0.113.${(i % 250) + 1}`, port: 1000 + i, scheduler: 'wrr', flags: [], persistenceTimeoutS: 0 };
    const dests: LbDestination[] = [];
    for (let j = 0; j < DESTS; j++) dests.push({ family: 4, address: `198.51.${100 + (j % 2)}.${(i % 250) + 1}`, port: 8000 + j, method: 'NAT', weight: 1 + j, upperThreshold: 0, lowerThreshold: 0 });
    out.push({ service, dests });
  }
  return out;
}

const TABLE = table();
const MESSAGES = SERVICES * (1 + DESTS);
const header = (seq: number) => ({ type: 0x24, flags: NlmFlag.REQUEST | NlmFlag.ACK, seq, pid: 1234 });

/** Encode the whole start-up table into one reused buffer, as the client does per message. */
function encodeAll(w: Writer, keep?: Uint8Array[]): number {
  let bytes = 0;
  let seq = 1;
  for (const { service, dests } of TABLE) {
    w.pos = 0;
    writeIpvsMessage(w, { header: header(seq++), cmd: IpvsCmd.NEW_SERVICE, service: ipvsService(service, false) });
    bytes += w.pos;
    if (keep) keep.push(w.result());
    const inDest = ipvsService(service, true);
    for (const d of dests) {
      w.pos = 0;
      writeIpvsMessage(w, { header: header(seq++), cmd: IpvsCmd.NEW_DEST, service: inDest, dest: ipvsDest(service, d) });
      bytes += w.pos;
      if (keep) keep.push(w.result());
    }
  }
  return bytes;
}

function perSecond(fn: () => void): { rate: number; msPerRun: number } {
  fn(); // warm up
  let runs = 0;
  const start = performance.now();
  let now = start;
  while (now - start < seconds * 1000 || runs < 3) {
    fn();
    runs++;
    now = performance.now();
  }
  const msPerRun = (now - start) / runs;
  return { rate: (MESSAGES / msPerRun) * 1000, msPerRun };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

console.log(`IPVS messages for ${fmt(SERVICES)} services × ${DESTS} destinations = ${fmt(MESSAGES)} messages (node ${process.version})`);
const w = new Writer(512);
const kept: Uint8Array[] = [];
const totalBytes = encodeAll(w, kept);
const enc = perSecond(() => encodeAll(w));
console.log(`encode (commands -> keepalived's bytes): ${fmt(enc.rate).padStart(12)} messages/s   ${enc.msPerRun.toFixed(1)} ms per table (${fmt(totalBytes)} bytes)`);
let sink = 0;
const dec = perSecond(() => {
  for (const m of kept) sink += (decodeIpvsMessage(m) as IpvsMessage).cmd;
});
console.log(`decode:                                  ${fmt(dec.rate).padStart(12)} messages/s   ${dec.msPerRun.toFixed(1)} ms per table`);

// The whole backend against the fake kernel: one apply of the full start-up table.
const commands: LbCommand[] = [];
for (const { service, dests } of TABLE) {
  commands.push({ cmd: 'addService', service });
  for (const dest of dests) commands.push({ cmd: 'addDest', service, dest });
}
async function backendRun(): Promise<number> {
  const kernel = new FakeIpvsKernel({ dumpBatch: 50 });
  const t = await new Promise<IpvsTable>((res, rej) => openIpvsTable({ transport: kernel }, (r) => (r.ok ? res(r.table) : rej(new Error(r.message)))));
  const start = performance.now();
  const errors = await new Promise<unknown[]>((res) => t.apply(commands, res));
  const ms = performance.now() - start;
  if (errors.length || kernel.table.size !== SERVICES) throw new Error(`backend run failed: ${errors.length} errors, ${kernel.table.size} services`);
  t.close();
  return ms;
}
await backendRun();
const runs: number[] = [];
for (let i = 0; i < 3; i++) runs.push(await backendRun());
const best = Math.min(...runs);
console.log(`backend apply (start, fake kernel):      ${fmt((MESSAGES / best) * 1000).padStart(12)} messages/s   ${best.toFixed(0)} ms per table (best of 3)`);
console.log(`ratio encode/backend: the encoder is ${(((MESSAGES / enc.msPerRun) * 1000) / ((MESSAGES / best) * 1000)).toFixed(1)}x the whole backend's rate${sink < 0 ? '!' : ''}`);
