/**
 * The real daemon balancing real traffic (root, network namespaces; see test/helpers/lvs-lab.ts):
 * one director runs keepalived-ts as an operator starts it, with a VRRP instance holding the VIP
 * (and the servers' gateway) and three NAT virtual servers over three real HTTP servers:
 *
 *   :80 rr   HTTP_GET checkers      :81 wrr 1:2:3 TCP_CHECK      :82 sh TCP_CHECK
 *
 * lvs_backend auto: this kernel has no IPVS, so the daemon balances with nftables. The test counts
 * who answers 1,000-odd requests, kills a real server while requests flow (failures are counted and
 * must all fall between the kill and the daemon's "Removing service"), brings it back, and moves
 * wrr's share with a config edit and SIGHUP.
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, rootTitle, waitFor } from '../helpers/netns.js';
import { directorConf, LvsLab, SERVERS, SOURCES, splitStream, VIP, type Daemon } from '../helpers/lvs-lab.js';

const nftAvailable = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].some((p) => existsSync(p));

const near = (got: number | undefined, want: number, tol: number) => expect(Math.abs((got ?? 0) - want), `${got} vs ${want}`).toBeLessThanOrEqual(tol);

describe.skipIf(!isRoot || !nftAvailable)(rootTitle('the daemon balances real traffic (nftables, one director)'), () => {
  const lab = new LvsLab('kts-lt-');
  let d: Daemon;
  const url = (port: number) => `http://${VIP}:${port}/`;

  beforeAll(async () => {
    await lab.setup(['d1']);
    d = lab.startDaemon('d1', directorConf({ routerId: 'd1', priority: 150, backend: 'auto' }));
    await d.when(/\(VI_LB\) Entering MASTER STATE/, 90_000);
    // keepalived's start: every real server is in the table before its first check.
    await waitFor(async () => (await lab.nft('d1', 'list', 'table', 'ip', 'keepalived_ts')).includes(`${VIP} . tcp . 82 : goto`), { timeoutMs: 10_000, what: 'the nftables table' });
  }, 150_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(`d1 said:\n${d?.log().slice(-4000)}`);
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it('starts with nftables (no IPVS here), programs all three virtual servers and logs no error', async () => {
    expect(d.log()).toMatch(/LVS: .*load-balancer backend nftables/);
    const table = await lab.nft('d1', 'list', 'table', 'ip', 'keepalived_ts');
    for (const port of [80, 81, 82]) expect(table).toContain(`${VIP} . tcp . ${port} : goto`);
    expect(d.log()).not.toMatch(/\b(error|ERROR)\b/);
  }, 60_000);

  it('rr spreads 1,000 requests evenly', async () => {
    const r = await lab.load({ url: url(80), count: 1000 });
    expect(r.failures).toBe(0);
    for (const s of SERVERS) near(r.counts[s], 1000 / 3, 10);
  }, 60_000);

  it('wrr spreads 1,200 requests by weight 1:2:3', async () => {
    const r = await lab.load({ url: url(81), count: 1200 });
    expect(r.failures).toBe(0);
    near(r.counts.s1, 200, 12);
    near(r.counts.s2, 400, 12);
    near(r.counts.s3, 600, 12);
  }, 60_000);

  it('sh keeps each client on one server (12 client addresses × 20 requests)', async () => {
    const r = await lab.load({ url: url(82), count: 240, sources: SOURCES });
    expect(r.failures).toBe(0);
    for (const src of SOURCES) expect(Object.keys(r.perSource[src] ?? {}), `client ${src}`).toHaveLength(1);
    expect(Object.keys(r.counts).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('kill a real server: requests fail only until the checker removes it, then none reaches it', async () => {
    const from = d.log().length;
    const stream = await lab.stream(url(80));
    await new Promise((r) => setTimeout(r, 1500));
    const killedAt = Date.now();
    await lab.killServer('s2');
    const removedAt = await d.when(/Removing service \[198\.51\.100\.22\]:tcp:8080 from VS \[203\.0\.113\.10\]:tcp:80/, 10_000, from);
    // Then the nftables batch: the end of the window is when s2 has left the kernel's table.
    await waitFor(async () => !(await lab.nft('d1', 'list', 'table', 'ip', 'keepalived_ts')).includes('198.51.100.22'), { timeoutMs: 5000, intervalMs: 20, what: 's2 out of the table' });
    const appliedAt = Date.now();
    const synsAtRemoval = await lab.synCount('s2');
    await new Promise((r) => setTimeout(r, 3000));
    const entries = await stream.stop();
    const synsAfter = await lab.synCount('s2');
    // A request that started just before the table changed may still end in a refusal: 100 ms.
    const w = splitStream(entries, killedAt, appliedAt + 100);
    const window = appliedAt - killedAt;
    const lastFailure = Math.max(0, ...w.failedInside.map((e) => e[1] - killedAt));
    console.log(`rr kill: logged 'Removing service' ${removedAt - killedAt} ms after the kill, last failure ended at ${lastFailure} ms, s2 seen out of the table at ${window} ms; ${w.inside.length} requests in the window, ${w.failedInside.length} failed; before ${w.before.length} (${w.failedBefore.length} failed), after ${w.after.length} (${w.failedAfter.length} failed) ${JSON.stringify(w.tally(w.after))}`);
    expect(w.failedBefore).toEqual([]);
    expect(w.failedAfter).toEqual([]);
    expect(w.after.length).toBeGreaterThan(50);
    expect(w.tally(w.after).s2).toBeUndefined();
    expect(synsAfter).toBe(synsAtRemoval); // no client connection attempt reached s2 after detection
    // HTTP_GET, delay_loop 1, retry 1, delay_before_retry 1: down after ≤ 1 + 1 s and two refusals.
    expect(window).toBeLessThanOrEqual(4000);
    // rr sends every third new connection to s2: about a third of the window fails, never more.
    expect(w.failedInside.length).toBeGreaterThan(0);
    expect(w.failedInside.length).toBeLessThanOrEqual(Math.ceil(w.inside.length / 3) + 2);
    expect(await lab.nft('d1', 'list', 'table', 'ip', 'keepalived_ts')).not.toMatch(/198\.51\.100\.22 . 8080/);
  }, 60_000);

  it('bring it back: the checker adds it and it gets its share again', async () => {
    const from = d.log().length;
    await lab.startServer('s2');
    await d.when(/Adding service \[198\.51\.100\.22\]:tcp:8080 to VS \[203\.0\.113\.10\]:tcp:80/, 10_000, from);
    await new Promise((r) => setTimeout(r, 300));
    const r = await lab.load({ url: url(80), count: 999 });
    expect(r.failures).toBe(0);
    for (const s of SERVERS) near(r.counts[s], 333, 10);
  }, 60_000);

  it('a weight change (config edit + SIGHUP) moves the wrr share to 1:2:6', async () => {
    const from = d.log().length;
    d.writeConf(directorConf({ routerId: 'd1', priority: 150, backend: 'auto', wrrWeights: [1, 2, 6] }));
    d.signal('SIGHUP');
    await d.when(/Changing weight from 3 to 6 for active service \[198\.51\.100\.23\]:tcp:8080 of VS \[203\.0\.113\.10\]:tcp:81/, 10_000, from);
    await new Promise((r) => setTimeout(r, 300));
    const r = await lab.load({ url: url(81), count: 900 });
    expect(r.failures).toBe(0);
    near(r.counts.s1, 100, 10);
    near(r.counts.s2, 200, 10);
    near(r.counts.s3, 600, 10);
    expect(d.log(from)).not.toMatch(/Entering (BACKUP|FAULT) STATE/);
  }, 60_000);

  it('the daemon is still running, with no error logged', () => {
    expect(d.proc.child.exitCode).toBeNull();
    expect(d.log()).not.toMatch(/\b(error|ERROR)\b/);
  }, 60_000);
});
