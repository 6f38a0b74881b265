/**
 * Two keepalived-ts daemons (the real production wiring: createNodePorts + createRuntime, forked
 * VRRP children) on a bridge in network namespaces. Election, kill -9 of the master (the VIP
 * moves), restart and preemption, then SIGTERM hand-over (priority 0: the backup takes over at
 * once and the old master removes its VIP). Root only; namespaces are created and removed here.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isRoot, NetnsLab, waitFor, type LabProcess } from '../helpers/netns.js';
import { alive, readPid, tempDir, until } from './fixtures/harness.js';

const CLI = new URL('../../adapters/node/cli.ts', import.meta.url).pathname;
const VIP = '198.51.100.100';

function conf(priority: number, state: 'MASTER' | 'BACKUP', ifname: string): string {
  return `global_defs {
  router_id lb_${priority}
}
vrrp_instance VI_1 {
  state ${state}
  interface ${ifname}
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
`;
}

describe.skipIf(!isRoot)('two keepalived-ts daemons fail over on a bridge (root: network namespaces)', () => {
  const lab = new NetnsLab('kts-g-');
  const tmp = tempDir('kts-g-fo-');
  afterAll(async () => {
    await lab.cleanup();
    tmp.remove();
  });

  it('election, kill -9 of the master, preemption, SIGTERM hand-over', async () => {
    const sw = await lab.namespace('sw');
    await lab.bridge(sw, 'br0');
    const a = await lab.namespace('a');
    const b = await lab.namespace('b');
    await lab.attach(sw, 'br0', { ns: a, ifname: 'lba', addresses: ['198.51.100.1/24'] });
    await lab.attach(sw, 'br0', { ns: b, ifname: 'lbb', addresses: ['198.51.100.2/24'] });

    const node = (name: 'a' | 'b', ns: string, priority: number, state: 'MASTER' | 'BACKUP') => {
      const c = join(tmp.dir, `${name}.conf`);
      writeFileSync(c, conf(priority, state, `lb${name}`));
      const pids = { parent: join(tmp.dir, `${name}.pid`), vrrp: join(tmp.dir, `${name}-vrrp.pid`), checker: join(tmp.dir, `${name}-checkers.pid`) };
      // -D: "removing VIPs." and "sent 0 priority" are keepalived's detail lines, logged only with -D
      const start = (): LabProcess =>
        lab.spawn(ns, [process.execPath, '--import', 'tsx', CLI, '-n', '-l', '-D', '-f', c, '-p', pids.parent, '-r', pids.vrrp, '-c', pids.checker], { TMPDIR: tmp.dir });
      return { ns, pids, start };
    };
    const A = node('a', a, 150, 'MASTER');
    const B = node('b', b, 100, 'BACKUP');

    const hasVip = async (ns: string): Promise<boolean> => {
      const links = await lab.ipJson<Array<{ addr_info: Array<{ local: string }> }>>(ns, ['addr', 'show']);
      return links.some((l) => l.addr_info.some((x) => x.local === VIP));
    };

    // Election: A (150) becomes master, B stays backup.
    let pa = A.start();
    const pb = B.start();
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 30_000);
    await pb.waitFor(/\(VI_1\) Entering BACKUP STATE/, 30_000);
    // (B may have been master for a moment while A's process was still loading.)
    await waitFor(async () => (await hasVip(a)) && !(await hasVip(b)), { timeoutMs: 8000, what: 'the VIP on A only' });
    const electedLog = pb.output().length;

    // SIGHUP on the master with a broken config: refused, nothing moves. Then a valid change
    // (priority 150 → 160): applied without a transition and without touching the VIP.
    const aConf = join(tmp.dir, 'a.conf');
    const aPid = readPid(A.pids.parent)!;
    const before = pa.output().length;
    writeFileSync(aConf, conf(150, 'MASTER', 'lba').replace('virtual_router_id 51', 'virtual_router_id 300'));
    process.kill(aPid, 'SIGHUP');
    await pa.waitFor(/Reload aborted: .* keeping the running configuration/, 10_000);
    expect(pa.output().slice(before)).toMatch(/a\.conf:\d+:\d+: error: virtual_router_id: number '300' outside range/);
    writeFileSync(aConf, conf(160, 'MASTER', 'lba'));
    process.kill(aPid, 'SIGHUP');
    await pa.waitFor(/Reload complete/, 10_000);
    await new Promise((r) => setTimeout(r, 1500));
    const afterReload = pa.output().slice(before);
    expect(afterReload).not.toMatch(/Entering (BACKUP|MASTER|FAULT) STATE|removing VIPs/);
    expect(await hasVip(a)).toBe(true);
    expect(pb.output().slice(electedLog)).not.toMatch(/Entering MASTER STATE/);

    // Stats and JSON dumps from the real runtime (USR2, signal 36) in $TMPDIR.
    process.kill(aPid, 'SIGUSR2');
    process.kill(aPid, 36);
    const statsFile = join(tmp.dir, 'keepalived.stats');
    const jsonFile = join(tmp.dir, 'keepalived.json');
    await waitFor(() => existsSync(statsFile) && existsSync(jsonFile), { timeoutMs: 5000, what: 'the dumps' });
    const stats = readFileSync(statsFile, 'utf8');
    expect(stats).toMatch(/^VRRP Instance: VI_1\n  Advertisements:\n    Received: \d+\n    Sent: [1-9]\d*\n  Became master: 1\n/);
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as Array<{ data: { iname: string; state: number; effective_priority: number; vips: string[] } }>;
    expect(json[0]?.data).toMatchObject({ iname: 'VI_1', state: 2, effective_priority: 160, vips: [`${VIP}/24 dev lba scope global set`] });

    // kill -9 of the whole master daemon (parent and VRRP child): B takes the VIP.
    const aParent = readPid(A.pids.parent)!;
    const aChild = readPid(A.pids.vrrp)!;
    process.kill(aChild, 'SIGKILL');
    process.kill(aParent, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(async () => await hasVip(b), { timeoutMs: 10_000, intervalMs: 20, what: 'the VIP on B' });
    const takeoverMs = Date.now() - killedAt;
    await waitFor(() => /\(VI_1\) Entering MASTER STATE/.test(pb.output().slice(electedLog)), { timeoutMs: 2000, what: "B's MASTER log line" });
    // master down interval for priority 100, advert_int 1: 3 s + (256-100)/256 s ≈ 3.6 s
    expect(takeoverMs).toBeLessThan(6000);

    // A comes back. Its killed predecessor left the VIP on lba (both hosts hold it now); the new
    // daemon removes it before its runtime starts in BACKUP, then preempts with its higher priority.
    expect(await hasVip(a)).toBe(true);
    pa = A.start();
    await pa.waitFor(/\(VI_1\) Entering BACKUP STATE/, 30_000);
    expect(pa.output()).toMatch(/\(VI_1\) removing VIPs\.\n[\s\S]*\(VI_1\) Entering BACKUP STATE/);
    expect(await hasVip(a)).toBe(false);
    await pa.waitFor(/\(VI_1\) Entering MASTER STATE/, 30_000);
    await waitFor(async () => (await hasVip(a)) && !(await hasVip(b)), { timeoutMs: 5000, what: 'the VIP back on A only' });

    // SIGTERM hand-over: A advertises priority 0 and removes its VIP; B takes over within a second or so.
    const aParent2 = readPid(A.pids.parent)!;
    process.kill(aParent2, 'SIGTERM');
    const termAt = Date.now();
    await waitFor(async () => await hasVip(b), { timeoutMs: 10_000, intervalMs: 20, what: 'the VIP on B after the hand-over' });
    const handoverMs = Date.now() - termAt;
    await until(() => !alive(aParent2), 'A to exit', 15_000);
    expect(pa.child.exitCode).toBe(0);
    expect(await hasVip(a)).toBe(false);
    expect(await hasVip(b)).toBe(true);
    // priority 0 → skew time only ((256-100)/256 s), far below the 3.6 s of a crash.
    expect(handoverMs).toBeLessThan(2500);
    expect(pa.output()).toMatch(/\(VI_1\) sent 0 priority/);
    expect(pa.output()).toMatch(/\(VI_1\) removing VIPs\./);
    console.log(`takeover after kill -9: ${takeoverMs} ms; hand-over after SIGTERM: ${handoverMs} ms`);
  }, 120_000);
});
