/**
 * nftables load-balancer backend: time to program a table of 1,000 services × 10 destinations,
 * and to apply a single-destination change (weight change, removal, re-add) at that size, plus a
 * restart that reads the table back and finds nothing to rewrite. Runs nft in a network namespace
 * it creates (root only).   Run: npx tsx bench/nft-table.bench.ts [services] [destinations]
 */
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import type { LbCommand, LbDestination, LbError, LbService } from '../actors/lvs/lb-port.js';
import { NftLbTable } from '../adapters/linux/nft/backend.js';
import { createNftRunner, type NftRunner } from '../adapters/linux/nft/driver.js';
import { isRoot, NetnsLab, rootRequiredReason } from '../test/helpers/netns.js';
import { fmt, median } from './lib/stats.js';

const SERVICES = Number(process.argv[2] ?? 1000);
const DESTS = Number(process.argv[3] ?? 10);
const REPEAT = 15;

const service = (i: number): LbService => ({
  family: 4,
  protocol: 'tcp',
  address: `203.0.113.${10 + Math.floor(i / 250)}`,
  port: 1000 + (i % 250),
  scheduler: 'wrr',
  flags: [],
  persistenceTimeoutS: 0,
});
const dest = (j: number, weight: number): LbDestination => ({ family: 4, address: `198.51.100.${21 + j}`, port: 8080, method: 'NAT', weight, upperThreshold: 0, lowerThreshold: 0 });

function commands(): LbCommand[] {
  const out: LbCommand[] = [];
  for (let i = 0; i < SERVICES; i++) {
    const s = service(i);
    out.push({ cmd: 'addService', service: s });
    for (let j = 0; j < DESTS; j++) out.push({ cmd: 'addDest', service: s, dest: dest(j, 1 + (j % 5)) });
  }
  return out;
}

const apply = (t: NftLbTable, c: LbCommand[]) => new Promise<LbError[]>((r) => t.apply(c, r));

async function timed(f: () => Promise<LbError[]>): Promise<number> {
  const t0 = performance.now();
  const errors = await f();
  const ms = performance.now() - t0;
  if (errors.length) throw new Error(`apply failed: ${errors[0]!.message}`);
  return ms;
}

async function main(): Promise<number> {
  if (!isRoot) {
    console.log(`nft-table: skipped, ${rootRequiredReason}`);
    return 0;
  }
  if (!['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].some((p) => existsSync(p))) {
    console.log('nft-table: skipped, nft (nftables) is not installed');
    return 0;
  }
  const lab = new NetnsLab('kts-bnft-');
  const onSignal = (): void => process.exit(130);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const ns = await lab.namespace('lb');
    let bytes = 0;
    const inner = createNftRunner({ netns: ns });
    const runner: NftRunner = { ...inner, apply: (cmds, done) => ((bytes = JSON.stringify({ nftables: cmds }).length), inner.apply(cmds, done)) };
    console.log(`nftables backend, ${SERVICES} services × ${DESTS} destinations (wrr, weights 1..5); node ${process.version}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

    const table = new NftLbTable({ netns: ns, runner });
    const all = commands();
    const fullMs = await timed(() => apply(table, all));
    console.log(`  full table, one batch:             ${fmt(fullMs, 0)} ms  (${(bytes / 1e6).toFixed(1)} MB of nft JSON)`);

    const s = service(SERVICES >> 1);
    const weight: number[] = [];
    const remove: number[] = [];
    const readd: number[] = [];
    for (let k = 0; k < REPEAT; k++) {
      weight.push(await timed(() => apply(table, [{ cmd: 'setDest', service: s, dest: dest(3, k % 2 ? 4 : 9) }])));
      remove.push(await timed(() => apply(table, [{ cmd: 'delDest', service: s, dest: dest(5, 1) }])));
      readd.push(await timed(() => apply(table, [{ cmd: 'addDest', service: s, dest: dest(5, 1) }])));
    }
    const one = median(weight);
    console.log(`  one weight change (median of ${REPEAT}):  ${fmt(one, 1)} ms  (${bytes} bytes of nft JSON)`);
    console.log(`  one destination removed (median):   ${fmt(median(remove), 1)} ms`);
    console.log(`  one destination re-added (median):  ${fmt(median(readd), 1)} ms`);
    table.close();

    // A restart: the new backend reads both families' tables and compares every service by hash.
    let wrote = 0;
    const restarted = new NftLbTable({ netns: ns, runner: { ...inner, apply: (cmds, done) => ((wrote += cmds.length), inner.apply(cmds, done)) } });
    const replay = commands().map((c) => (c.cmd === 'addDest' && c.service.port === s.port && c.service.address === s.address && c.dest.address === dest(3, 1).address ? { ...c, dest: dest(3, REPEAT % 2 ? 9 : 4) } : c));
    const restartMs = await timed(() => apply(restarted, replay));
    console.log(`  restart: read back + compare:       ${fmt(restartMs, 0)} ms  (${wrote} nft commands written)`);
    restarted.close();

    const flushed = new NftLbTable({ netns: ns });
    const t0 = performance.now();
    const err = await new Promise<string | undefined>((r) => flushed.flush(r));
    if (err) throw new Error(err);
    console.log(`  flush (delete both tables):         ${fmt(performance.now() - t0, 0)} ms`);
    flushed.close();
    console.log(`  ratio full table / one change: ${fmt(fullMs / one, 0)}×`);
  } finally {
    await lab.cleanup();
  }
  return 0;
}

process.exitCode = await main();
