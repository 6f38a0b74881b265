/**
 * A VRRP pair of directors, both running keepalived-ts with the same VRRP instance (VIP
 * 203.0.113.10 and the real servers' gateway 198.51.100.254) and the same NAT virtual servers
 * (lvs_backend nftables; see test/helpers/lvs-lab.ts). Requests flow to the VIP while the master
 * director's daemon is killed with SIGKILL (parent, VRRP child and checker child, by pid): the backup
 * takes both VIPs, its own table (programmed by its own checkers) carries the traffic, and the
 * failures in the switch window are counted. The :82 virtual server has ha_suspend: the backup's
 * checkers for it are suspended until the VIP arrives. Then the master comes back and preempts, and
 * finally only its parent is killed with SIGKILL: its children stop on their own and the backup takes over.
 */
import { existsSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, rootTitle, waitFor } from '../helpers/netns.js';
import { directorConf, GW_VIP, LvsLab, SERVERS, splitStream, VIP, type Daemon } from '../helpers/lvs-lab.js';

const nftAvailable = ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].some((p) => existsSync(p));
const near = (got: number | undefined, want: number, tol: number) => expect(Math.abs((got ?? 0) - want), `${got} vs ${want}`).toBeLessThanOrEqual(tol);

describe.skipIf(!isRoot || !nftAvailable)(rootTitle('a VRRP pair of directors balancing real traffic (nftables)'), () => {
  const lab = new LvsLab('kts-lp-');
  let a: Daemon;
  let b: Daemon;
  const url = `http://${VIP}:80/`;
  const confA = directorConf({ routerId: 'd1', priority: 150, backend: 'nftables', haSuspend: true });
  const confB = directorConf({ routerId: 'd2', priority: 100, backend: 'nftables', haSuspend: true });
  const tableHas = async (d: string, port: number) => (await lab.nft(d, 'list', 'table', 'ip', 'keepalived_ts')).includes(`${VIP} . tcp . ${port} : goto`);

  beforeAll(async () => {
    await lab.setup(['d1', 'd2']);
    a = lab.startDaemon('d1', confA);
    b = lab.startDaemon('d2', confB);
    await a.when(/\(VI_LB\) Entering MASTER STATE/, 90_000);
    await b.when(/\(VI_LB\) Entering BACKUP STATE/, 90_000);
    await waitFor(async () => (await tableHas('d1', 82)) && (await tableHas('d2', 82)), { timeoutMs: 10_000, what: 'both tables' });
  }, 200_000);

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(`d1 said:\n${a?.log().slice(-4000)}\nd2 said:\n${b?.log().slice(-4000)}`);
  });

  afterAll(async () => {
    await lab.cleanup();
  });

  it('the master holds both VIPs and carries rr traffic; the backup has its table ready', async () => {
    expect(await lab.holders(VIP, ['d1', 'd2'])).toEqual(['d1']);
    expect(await lab.holders(GW_VIP, ['d1', 'd2'])).toEqual(['d1']);
    const r = await lab.load({ url, count: 999 });
    expect(r.failures).toBe(0);
    for (const s of SERVERS) near(r.counts[s], 333, 10);
    for (const port of [80, 81, 82]) expect(await tableHas('d2', port)).toBe(true);
    // ha_suspend on :82: the backup's checkers for it wait while the VIP is elsewhere. They start
    // "Deactivating" (keepalived's word), or are "Suspending" if d2 was master for a moment at start.
    const said = [...b.log().matchAll(/(Activating|Deactivating|Suspending) healthchecker for service \[198\.51\.100\.23\]:tcp:8080 for VS \[203\.0\.113\.10\]:tcp:82/g)].map((m) => m[1]);
    expect(['Deactivating', 'Suspending']).toContain(said.at(-1));
  }, 150_000);

  it('kill -9 of the master director: the backup takes the VIPs and the traffic, failures only in the switch window', async () => {
    const fromB = b.log().length;
    const stream = await lab.stream(url);
    await new Promise((r) => setTimeout(r, 1500));
    const pids = [a.pid('parent'), a.pid('vrrp'), a.pid('checker')];
    expect(pids.every((p) => typeof p === 'number')).toBe(true);
    const killedAt = Date.now();
    a.kill9();
    const masterAt = await b.when(/\(VI_LB\) Entering MASTER STATE/, 15_000, fromB);
    await waitFor(async () => (await lab.holders(VIP, ['d2'])).length === 1 && (await lab.holders(GW_VIP, ['d2'])).length === 1, { timeoutMs: 5000, what: 'd2 to hold both VIPs' });
    await new Promise((r) => setTimeout(r, 3000));
    const entries = await stream.stop();
    // Connections opened through d1 whose answers come back through d2 (the gateway moved) fail:
    // allow them 1 s after d2 became master.
    const w = splitStream(entries, killedAt, masterAt + 1000);
    console.log(`pair kill -9: d2 master after ${masterAt - killedAt} ms, ${w.inside.length} requests in the window, ${w.failedInside.length} failed ${JSON.stringify(w.tally(w.failedInside))}; before ${w.before.length} (${w.failedBefore.length} failed), after ${w.after.length} (${w.failedAfter.length} failed) ${JSON.stringify(w.tally(w.after))}`);
    expect(w.failedBefore).toEqual([]);
    expect(w.failedAfter).toEqual([]);
    expect(w.after.length).toBeGreaterThan(50);
    for (const s of SERVERS) expect(w.tally(w.after)[s]).toBeGreaterThan(0);
    // advert_int 1, priority 100: master down after 3 × 1 + (256 − 100)/256 s ≈ 3.6 s.
    expect(masterAt - killedAt).toBeLessThanOrEqual(5000);
    // At most the requests in flight when the VIPs moved (2 workers, 1 s timeouts) fail.
    expect(w.failedInside.length).toBeLessThanOrEqual(10);
    for (const p of pids) expect(() => process.kill(p!, 0)).toThrow();
    for (const ip of ['198.51.100.21', '198.51.100.22', '198.51.100.23'])
      expect(b.log(fromB)).toContain(`Activating healthchecker for service [${ip}]:tcp:8080 for VS [203.0.113.10]:tcp:82`);
  }, 150_000);

  it('after the switch: rr over the backup spreads 999 requests evenly', async () => {
    const r = await lab.load({ url, count: 999 });
    expect(r.failures).toBe(0);
    for (const s of SERVERS) near(r.counts[s], 333, 10);
    expect(b.proc.child.exitCode).toBeNull();
  }, 150_000);

  it('the master comes back and preempts: traffic moves back with failures only in the switch window', async () => {
    const stream = await lab.stream(url);
    const startedAt = Date.now();
    a = lab.startDaemon('d1', confA);
    const masterAt = await a.when(/\(VI_LB\) Entering MASTER STATE/, 90_000);
    await new Promise((r) => setTimeout(r, 3000));
    const entries = await stream.stop();
    const w = splitStream(entries, masterAt - 1000, masterAt + 1000);
    console.log(`pair preempt: d1 master ${masterAt - startedAt} ms after its start, ${w.inside.length} requests in the window, ${w.failedInside.length} failed; after ${w.after.length} (${w.failedAfter.length} failed)`);
    expect(await lab.holders(VIP, ['d1', 'd2'])).toEqual(['d1']);
    expect(w.failedBefore).toEqual([]);
    expect(w.failedAfter).toEqual([]);
    expect(w.failedInside.length).toBeLessThanOrEqual(10);
  }, 150_000);
  it('kill -9 of the master daemon\'s parent pid only: its children stop on their own (VIPs released, services removed), the backup takes over', async () => {
    expect(await lab.holders(VIP, ['d1', 'd2'])).toEqual(['d1']);
    const fromB = b.log().length;
    const children = [a.pid('vrrp'), a.pid('checker')];
    const stream = await lab.stream(url);
    await new Promise((r) => setTimeout(r, 1000));
    const killedAt = Date.now();
    process.kill(a.pid('parent')!, 'SIGKILL');
    const masterAt = await b.when(/\(VI_LB\) Entering MASTER STATE/, 15_000, fromB);
    await waitFor(() => children.every((p) => { try { process.kill(p!, 0); return false; } catch { return true; } }), { timeoutMs: 10_000, what: "d1's children to exit" });
    await new Promise((r) => setTimeout(r, 2000));
    const entries = await stream.stop();
    const w = splitStream(entries, killedAt, masterAt + 1000);
    console.log(`pair parent kill -9: d2 master after ${masterAt - killedAt} ms, ${w.inside.length} requests in the window, ${w.failedInside.length} failed ${JSON.stringify(w.tally(w.failedInside))}; after ${w.after.length} (${w.failedAfter.length} failed)`);
    expect(a.log()).toMatch(/Stopping \(parent process gone\)/);
    expect(await lab.holders(VIP, ['d1', 'd2'])).toEqual(['d2']);
    expect(await lab.holders(GW_VIP, ['d1', 'd2'])).toEqual(['d2']);
    expect(await lab.nft('d1', 'list', 'ruleset')).not.toMatch(/203\.0\.113\.10 \. tcp/);
    expect(w.failedBefore).toEqual([]);
    expect(w.failedAfter).toEqual([]);
    expect(w.failedInside.length).toBeLessThanOrEqual(10);
  }, 150_000);
});
