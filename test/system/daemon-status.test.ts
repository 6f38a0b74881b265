/**
 * Operator visibility on the real kernel (root, network namespaces via DaemonLab):
 *
 *  - two keepalived-ts daemons: `status` and `status --json` show one MASTER and one BACKUP with
 *    their priorities and VIPs; after kill -9 of the master the survivor shows MASTER with reason
 *    master-down; its metrics endpoint shows the transition counted; a malformed control request
 *    and a client that connects and never reads leave it healthy; the metrics endpoint listens on
 *    loopback only unless told otherwise; the --trace journal has the transition;
 *  - keepalived's USR2 statistics: the same crafted adverts sent to keepalived 2.2.7 and to
 *    keepalived-ts give the same /tmp/keepalived.stats.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameSender } from '../../adapters/linux/frame-sender.js';
import { loadReplay } from '../../adapters/node/web/replay.js';
import type { DaemonStatus } from '../../adapters/node/daemon/status.js';
import { encodeVrrpIpv4Packet, type VrrpAdvertSpec } from '../../protocol/vrrp/index.js';
import { viewAt } from '../../sim/view/view-model.js';
import { DaemonLab, haveKeepalived, sleep, type DaemonHandle } from '../helpers/daemon-lab.js';
import { isRoot, rootTitle, waitFor } from '../helpers/netns.js';
import { runCli } from '../helpers/cli-process.js';


const conf = (iface: string, priority: number, advertInt = 1) => `
global_defs {
  router_id lb-${iface}
}
vrrp_instance VI_1 {
  state BACKUP
  interface ${iface}
  virtual_router_id 51
  priority ${priority}
  advert_int ${advertInt}
  virtual_ipaddress {
    198.51.100.100/24
  }
}
`;

const cli = runCli;

async function statusJson(d: DaemonHandle): Promise<DaemonStatus> {
  const r = await cli(['status', '--json', '-p', d.pidFiles.parent]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as DaemonStatus;
}

describe.skipIf(!isRoot)(rootTitle('status, metrics and the journal of two daemons'), () => {
  const lab = new DaemonLab('kts-st-');
  let a: DaemonHandle;
  let b: DaemonHandle;
  const trace = () => join(lab.dir, 'b-trace.jsonl');
  /** GET a URL from inside a host's namespace (node's fetch); '' on failure. */
  const fetchIn = async (ns: string, url: string): Promise<string> => {
    const r = await lab.net.exec(ns, [process.execPath, '-e', `fetch(${JSON.stringify(url)}).then(r=>r.text()).then(t=>process.stdout.write(t),e=>{process.stdout.write('ERR '+(e.cause?.code??e.message));process.exitCode=1})`], { timeoutMs: 10_000 });
    return r.stdout;
  };

  beforeAll(async () => {
    await lab.setup(['a', 'b']);
    a = lab.startOurs(lab.host('a'), conf('kia', 150), { args: ['--metrics', '9650'] });
    b = lab.startOurs(lab.host('b'), conf('kib', 100), { args: ['--metrics', '9650', '--trace', trace()] });
    await a.proc.waitFor(/\(VI_1\) Entering MASTER STATE/, 30_000);
    await b.proc.waitFor(/\(VI_1\) Entering BACKUP STATE/, 30_000);
  }, 90_000);
  afterAll(async () => {
    await lab.cleanup();
  });

  it('status shows one MASTER and one BACKUP with their priorities, master and VIPs', async () => {
    const ta = await cli(['status', '-p', a.pidFiles.parent]);
    expect(ta.code, ta.stderr).toBe(0);
    expect(ta.stdout).toMatch(/^keepalived-ts \S+ {2}lb-kia {2}pid \d+ {2}up \d+s/);
    expect(ta.stdout).toMatch(/^VI_1 +MASTER +150 +150 +198\.51\.100\.1 \(this node\) +198\.51\.100\.100\/24 +\d+s +BACKUP->MASTER \S+ at /m);
    const tb = await cli(['status', '-p', b.pidFiles.parent]);
    // (INIT->BACKUP, or MASTER->BACKUP when b's daemon was up first and a preempted it)
    expect(tb.stdout).toMatch(/^VI_1 +BACKUP +100 +100 +198\.51\.100\.1 \(prio 150\) +- +\d+s +(INIT->BACKUP startup|MASTER->BACKUP higher-priority) at /m);
    expect(tb.stdout).toMatch(/^VI_1 +interface kib +up +0 +-$/m);
    process.stdout.write(`--- status of the master (a) ---\n${ta.stdout}--- status of the backup (b) ---\n${tb.stdout}`);

    const ja = await statusJson(a);
    const jb = await statusJson(b);
    expect(ja.instances).toMatchObject([{ name: 'VI_1', state: 'MASTER', priority: { base: 150, effective: 150 }, vips: ['198.51.100.100/24'], master: '198.51.100.1' }]);
    expect(jb.instances).toMatchObject([{ name: 'VI_1', state: 'BACKUP', priority: { base: 100, effective: 100 }, vips: [], master: '198.51.100.1', masterPriority: 150 }]);
    expect(ja.processes).toMatchObject([{ role: 'vrrp', answering: true, restarts: 0 }]);
    expect(jb.instances[0]!.stats.advertRcvd).toBeGreaterThan(0);
  }, 60_000);

  it('metrics listen on loopback only, in the daemon\'s namespace', async () => {
    const local = await fetchIn(lab.host('b').ns, 'http://127.0.0.1:9650/metrics');
    expect(local).toMatch(/^keepalived_vrrp_state\{iname="VI_1",intf="kib",vrid="51"\} 1$/m);
    // From the other host, over the LAN: nothing listens on b's address.
    expect(await fetchIn(lab.host('a').ns, 'http://198.51.100.2:9650/metrics')).toBe('ERR ECONNREFUSED');
    const ss = await lab.net.exec(lab.host('b').ns, ['ss', '-Hltn']);
    const listening = ss.stdout.split('\n').filter(Boolean).map((l) => l.trim().split(/\s+/)[3]);
    expect(listening).toEqual(['127.0.0.1:9650']);
  }, 60_000);

  it('after kill -9 of the master the survivor is MASTER for master-down; metrics count the transition; the journal has it', async () => {
    const L = 'iname="VI_1",intf="kib",vrid="51"';
    const value = (text: string, series: string): number => {
      const line = text.split('\n').find((l) => l.startsWith(`${series} `));
      return line ? Number(line.slice(series.length + 1)) : 0;
    };
    const masterDown = `keepalived_vrrp_transitions_total{${L},from="BACKUP",to="MASTER",reason="master-down"}`;
    const before = await fetchIn(lab.host('b').ns, 'http://127.0.0.1:9650/metrics');
    const became = value(before, `keepalived_become_master_total{${L}}`);
    const downs = value(before, masterDown);
    const changes = value(before, `keepalived_vrrp_master_changes_total{${L}}`);
    const mark = b.log().length;
    a.kill9();
    await waitFor(() => /\(VI_1\) Entering MASTER STATE/.test(b.log(mark)), { timeoutMs: 15_000, intervalMs: 50, what: 'b to become MASTER' });
    const jb = await statusJson(b);
    expect(jb.instances[0]).toMatchObject({ state: 'MASTER', master: '198.51.100.2', vips: ['198.51.100.100/24'] });
    expect(jb.instances[0]!.lastTransition).toMatchObject({ from: 'BACKUP', to: 'MASTER', reason: 'master-down' });
    const tb = await cli(['status', '-p', b.pidFiles.parent]);
    expect(tb.stdout).toMatch(/^VI_1 +MASTER +100 +100 +198\.51\.100\.2 \(this node\) +198\.51\.100\.100\/24 +\d+s +BACKUP->MASTER master-down at /m);
    process.stdout.write(`--- status of the survivor (b) ---\n${tb.stdout}`);
    const after = await fetchIn(lab.host('b').ns, 'http://127.0.0.1:9650/metrics');
    expect(value(after, masterDown)).toBe(downs + 1);
    expect(value(after, `keepalived_become_master_total{${L}}`)).toBe(became + 1);
    expect(value(after, `keepalived_vrrp_master_changes_total{${L}}`)).toBe(changes + 1);
    process.stdout.write(`--- metrics of the survivor (excerpt) ---\n${after.split('\n').filter((l) => /VI_1|^keepalived_up|_process_/.test(l)).join('\n')}\n`);
    await waitFor(() => existsSync(trace()) && /"to":"MASTER"/.test(readFileSync(trace(), 'utf8')), { timeoutMs: 5000, intervalMs: 100, what: 'the journal line' });
    const raw = readFileSync(trace(), 'utf8').split('\n').filter(Boolean);
    const at = raw.findIndex((l) => l.includes('"to":"MASTER"'));
    process.stdout.write(`--- journal of the survivor (excerpt) ---\n${raw.slice(at, at + 6).join('\n')}\n`);
    const lines = raw.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ type: 'state', host: 'lb-kib', instance: 'VI_1', from: 'BACKUP', to: 'MASTER', reason: 'master-down', priority: 100 }));
    // The statecharts' state changes too, as the simulator traces them; `sim --replay` lights them.
    expect(lines).toContainEqual(expect.objectContaining({ type: 'actor', host: 'lb-kib', actor: 'vrrp/VI_1', machine: 'vrrpInstance', state: [expect.stringMatching(/^master\./)] }));
    const replay = await loadReplay([trace()]);
    expect(replay.records.some((r) => r.standIn)).toBe(false);
    const end = viewAt(replay.records, replay.records.at(-1)!.t);
    expect(end.actors.find((x) => x.actor === 'vrrp/VI_1')?.active).toContain('master');
    expect(replay.diagrams.map((d) => d.id)).toContain('vrrpInstance');
  }, 60_000);

  it('a malformed request and a client that never reads leave the daemon healthy', async () => {
    const sock = b.pidFiles.parent.replace(/\.pid$/, '.sock');
    const bad = await new Promise<string>((resolve) => {
      const s = createConnection(sock);
      let got = '';
      s.on('connect', () => s.write('{"cmd": status}\n'));
      s.on('data', (d) => {
        got += String(d);
        if (got.includes('\n')) (s.destroy(), resolve(got));
      });
      s.on('error', (e) => resolve(`ERR ${e.message}`));
      setTimeout(() => (s.destroy(), resolve(got)), 5000);
    });
    expect(JSON.parse(bad)).toMatchObject({ ok: false, code: 'bad-json' });
    const hog = createConnection(sock);
    hog.on('error', () => undefined);
    hog.pause();
    await new Promise<void>((r) => hog.on('connect', r));
    hog.write('{"cmd":"status"}\n'.repeat(5000));
    const sent0 = (await statusJson(b)).instances[0]!.stats.advertSent;
    await sleep(2500);
    const st = await statusJson(b);
    expect(st.instances[0]!.state).toBe('MASTER');
    expect(st.instances[0]!.stats.advertSent).toBeGreaterThanOrEqual(sent0 + 2);
    expect(st.processes[0]).toMatchObject({ answering: true, restarts: 0 });
    hog.destroy();
    expect(b.proc.output()).not.toMatch(/did not answer hellos|exited due to signal/);
  }, 60_000);
});

describe.skipIf(!isRoot || !haveKeepalived)(rootTitle('USR2 statistics against keepalived 2.2.7, same crafted adverts'), () => {
  const lab = new DaemonLab('kts-su-');
  afterAll(async () => {
    await lab.cleanup();
  });

  it('keepalived.stats is identical after the same packets', async () => {
    await lab.setup(['k', 'o', 'x']);
    const k = lab.host('k');
    const o = lab.host('o');
    const x = lab.host('x');
    const dirs = { k: join(lab.dir, 'tmp-k'), o: join(lab.dir, 'tmp-o') };
    for (const d of Object.values(dirs)) mkdirSync(d);
    // advert_int 10: neither becomes MASTER (and sends) during the test; the valid adverts keep them BACKUP.
    const dk = lab.startKeepalived(k, conf(k.ifname, 100, 10), { tmpdir: dirs.k });
    const dO = lab.startOurs(o, conf(o.ifname, 100, 10), { tmpdir: dirs.o });
    await dk.proc.waitFor(/\(VI_1\) Entering BACKUP STATE/, 30_000);
    await dO.proc.waitFor(/\(VI_1\) Entering BACKUP STATE/, 30_000);

    const links = await lab.net.ipJson<Array<{ ifname: string; ifindex: number; address: string }>>(x.ns, ['link', 'show']);
    const xl = links.find((l) => l.ifname === x.ifname)!;
    const macOf = async (h: typeof k) => (await lab.net.ipJson<Array<{ ifname: string; address: string }>>(h.ns, ['link', 'show'])).find((l) => l.ifname === h.ifname)!.address;
    const mac = (m: string) => m.split(':').map((p) => parseInt(p, 16));
    const frame = (dstMac: number[], ip: Uint8Array) => new Uint8Array([...dstMac, ...mac(xl.address), 0x08, 0x00, ...ip]);
    const MCAST = [0x01, 0x00, 0x5e, 0x00, 0x00, 0x12];
    const spec = (over: Partial<VrrpAdvertSpec> = {}): VrrpAdvertSpec => ({ version: 2, family: 4, vrid: 51, priority: 200, advertIntervalCs: 1000, addresses: ['198.51.100.100'], authKind: 'none', ...over });
    const packet = (s: VrrpAdvertSpec, dst = '224.0.0.18', ttl = 255) => encodeVrrpIpv4Packet(s, { src: x.ipv4, dst, ttl, ipId: 1 });
    const patched = (p: Uint8Array, at: number, v: number) => {
      const c = p.slice();
      c[at] = v;
      return c;
    };
    const ipChecksum = (p: Uint8Array) => {
      p[10] = 0;
      p[11] = 0;
      let sum = 0;
      for (let i = 0; i < 20; i += 2) sum += (p[i]! << 8) | p[i + 1]!;
      while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
      const c = ~sum & 0xffff;
      p[10] = c >> 8;
      p[11] = c & 0xff;
      return p;
    };
    const tooLong = (() => {
      const p = packet(spec());
      const c = new Uint8Array(p.length + 4);
      c.set(p);
      c[2] = c.length >> 8;
      c[3] = c.length & 0xff;
      return ipChecksum(c);
    })();
    const valid = frame(MCAST, packet(spec()));
    const kinds: Array<[string, Uint8Array[]]> = [
      ['valid', [valid]],
      ['priority 0, then valid again', [frame(MCAST, packet(spec({ priority: 0 }))), valid]],
      ['v2 interval mismatch', [frame(MCAST, packet(spec({ advertIntervalCs: 100 })))]],
      ['right count, wrong address', [frame(MCAST, packet(spec({ addresses: ['198.51.100.99'] })))]],
      ['wrong address count', [frame(MCAST, packet(spec({ addresses: ['198.51.100.100', '198.51.100.101'] })))]],
      ['TTL 64', [frame(MCAST, packet(spec(), '224.0.0.18', 64))]],
      ['bad checksum', [frame(MCAST, patched(packet(spec()), 20 + 7, packet(spec())[27]! ^ 0xff))]],
      ['auth type 5', [frame(MCAST, patched(packet(spec()), 20 + 4, 5))]],
      ['auth type PASS, expected none', [frame(MCAST, packet(spec({ authKind: 'pass', authKey: new TextEncoder().encode('secret\0\0') })))]],
      ['packet type 2', [frame(MCAST, patched(packet(spec()), 20, 0x22))]],
      ['version 3', [frame(MCAST, packet(spec({ version: 3, advertIntervalCs: 1000 })))]],
      ['4 bytes too long', [frame(MCAST, tooLong)]],
      ['unicast to a multicast instance', [frame(mac(await macOf(k)), packet(spec(), k.ipv4)), frame(mac(await macOf(o)), packet(spec(), o.ipv4))]],
      ['valid', [valid]],
    ];
    const sender = new FrameSender(x.ns);
    try {
      for (const [what, frames] of kinds) {
        for (const f of frames) expect(sender.send(xl.ifindex, f), what).toBeUndefined();
        await sleep(50);
      }
    } finally {
      sender.close();
    }
    await sleep(500);
    for (const [d, dir] of [[dk, dirs.k], [dO, dirs.o]] as const) d.signal('SIGUSR2');
    const file = (dir: string) => join(dir, 'keepalived.stats');
    await waitFor(() => existsSync(file(dirs.k)) && existsSync(file(dirs.o)), { timeoutMs: 10_000, intervalMs: 100, what: 'both stats files' });
    await sleep(300);
    const theirs = readFileSync(file(dirs.k), 'utf8');
    const ours = readFileSync(file(dirs.o), 'utf8');
    process.stdout.write(`--- keepalived 2.2.7 ---\n${theirs}--- keepalived-ts ---\n${ours}`);
    expect(ours).toBe(theirs);
    // What the packets were counted as (the same in both, checked above): received = the three
    // valid ones, the priority-0 one and the one with a wrong address; Address List = wrong count
    // and wrong address (2.2.7 counts nothing for the unicast packet, nor for checksum, version or
    // the v2 interval).
    expect(theirs).toContain('  Advertisements:\n    Received: 5\n    Sent: 0\n');
    expect(theirs).toContain('    Advertisement Interval: 0\n');
    expect(theirs).toContain('  Priority Zero:\n    Received: 1\n');
    // Every packet ours did not accept is counted by its own reason too, keepalived's counters or not.
    const so = await cli(['status', '--json', '-p', dO.pidFiles.parent]);
    const drops = (JSON.parse(so.stdout) as DaemonStatus).instances[0]!.drops;
    process.stdout.write(`--- keepalived-ts drops ---\n${JSON.stringify(drops)}\n`);
    expect(drops).toMatchObject({ 'interval-mismatch': 1, 'addr-list-mismatch': 1, 'addr-count-mismatch': 1, 'bad-ttl': 1, 'bad-checksum': 1, 'bad-auth-type': 1, 'auth-type-mismatch': 1, 'bad-type': 1, 'bad-version': 1, 'bad-length': 1, 'cast-mismatch': 1 });
  }, 120_000);
});
