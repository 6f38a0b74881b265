/** NftLbTable's command handling and reconcile logic, against a fake nft runner (no root needed). */
import { describe, expect, it } from 'vitest';
import type { LbCommand, LbDestination, LbError, LbService } from '../../actors/lvs/lb-port.js';
import { NftLbTable } from '../../adapters/linux/nft/backend.js';
import type { NftCommand } from '../../adapters/linux/nft/batch.js';
import type { NftRunner } from '../../adapters/linux/nft/driver.js';

const web: LbService = { family: 4, protocol: 'tcp', address: '203.0.113.10', port: 80, scheduler: 'rr', flags: [], persistenceTimeoutS: 0 };
const dest = (address: string, weight = 1): LbDestination => ({ family: 4, address, port: 8080, method: 'NAT', weight, upperThreshold: 0, lowerThreshold: 0 });

/** Records batches and listings; `failNext` makes the next batch fail like nft would. */
function fakeRunner() {
  const r = { batches: [] as NftCommand[][], lists: 0, failNext: 0, closed: false };
  const runner: NftRunner = {
    apply: (cmds, done) => {
      r.batches.push(cmds);
      setImmediate(() => done(r.failNext-- > 0 ? 'nft exit 1: No such file or directory' : undefined));
    },
    list: (_f, _t, done) => {
      r.lists++;
      setImmediate(() => done(undefined, { nftables: [] }));
    },
    close: () => void (r.closed = true),
  };
  return { r, runner };
}

const apply = (t: NftLbTable, c: LbCommand[]) => new Promise<LbError[]>((res) => t.apply(c, res));
const rulesOf = (cmds: NftCommand[]) => cmds.filter((c) => 'add' in c && 'rule' in (c.add as object) && String((c.add as { rule: { chain: string } }).rule.chain).startsWith('vs_'));

describe('NftLbTable', () => {
  it('reads the table before its first batch, then writes only what commands touch', async () => {
    const { r, runner } = fakeRunner();
    const t = new NftLbTable({ runner });
    expect(await apply(t, [{ cmd: 'addService', service: web }, { cmd: 'addDest', service: web, dest: dest('198.51.100.21') }])).toEqual([]);
    expect(r.lists).toBe(2); // ip and ip6
    expect(r.batches).toHaveLength(1);
    expect(await apply(t, [{ cmd: 'addDest', service: web, dest: dest('198.51.100.22') }])).toEqual([]);
    expect(r.lists).toBe(2);
    expect(r.batches[1]!.map((c) => Object.keys(c)[0])).toEqual(['add', 'add', 'flush', 'add']); // one service, nothing else
    // Setting what is already there writes nothing.
    expect(await apply(t, [{ cmd: 'setDest', service: web, dest: dest('198.51.100.22') }])).toEqual([]);
    expect(r.batches).toHaveLength(2);
    t.close();
    expect(r.closed).toBe(true);
  });

  it('is idempotent the way keepalived needs: re-adds update, missing deletes are fine, setDest adds', async () => {
    const { runner } = fakeRunner();
    const t = new NftLbTable({ runner });
    expect(
      await apply(t, [
        { cmd: 'addService', service: web },
        { cmd: 'addService', service: { ...web, scheduler: 'wrr' } },
        { cmd: 'setDest', service: web, dest: dest('198.51.100.21', 3) },
        { cmd: 'delDest', service: web, dest: dest('198.51.100.99') },
      ]),
    ).toEqual([]);
    const view = await new Promise<Parameters<Parameters<NftLbTable['view']>[0]>[0]>((res) => t.view(res));
    expect(view.backend).toBe('nftables');
    expect(view.services).toEqual([{ service: { ...web, scheduler: 'wrr' }, destinations: [dest('198.51.100.21', 3)] }]);
  });

  it('reports destinations of unknown services and refused forwarding, and carries out the rest', async () => {
    const { r, runner } = fakeRunner();
    const t = new NftLbTable({ runner });
    const other = { ...web, port: 81 };
    const errors = await apply(t, [
      { cmd: 'addDest', service: other, dest: dest('198.51.100.21') },
      { cmd: 'addService', service: web },
      { cmd: 'addDest', service: web, dest: { ...dest('198.51.100.21'), method: 'TUN' } },
      { cmd: 'addDest', service: web, dest: { ...dest('198.51.100.22'), upperThreshold: 10 } },
      { cmd: 'addDest', service: web, dest: dest('198.51.100.23') },
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      '203.0.113.10:81/tcp: no such service',
      '203.0.113.10:80/tcp: real server 198.51.100.21:8080: lvs_method TUN needs IPVS; nftables can only forward by NAT (DNAT): use lvs_method NAT, with the real servers routing back through the director',
      "203.0.113.10:80/tcp: real server 198.51.100.22:8080: uthreshold/lthreshold need IPVS (nftables cannot count a real server's connections); remove them",
    ]);
    expect(JSON.stringify(rulesOf(r.batches[0]!))).toContain('198.51.100.23');
    expect(JSON.stringify(r.batches[0])).not.toContain('198.51.100.21');
  });

  it('after a failed batch: reads the table back, rebuilds everything, and reports no error when that works', async () => {
    const { r, runner } = fakeRunner();
    const notes: string[] = [];
    const t = new NftLbTable({ runner, log: (l) => notes.push(l) });
    const api = { ...web, port: 81 };
    await apply(t, [{ cmd: 'addService', service: web }, { cmd: 'addDest', service: web, dest: dest('198.51.100.21') }, { cmd: 'addService', service: api }]);
    r.failNext = 1;
    expect(await apply(t, [{ cmd: 'addDest', service: api, dest: dest('198.51.100.22') }])).toEqual([]);
    expect(notes).toEqual(['nftables: batch on table keepalived_ts failed (nft exit 1: No such file or directory); reading it back and rebuilding']);
    expect(r.lists).toBe(4);
    const rebuilt = r.batches.at(-1)!;
    expect(rulesOf(rebuilt)).toHaveLength(2); // both services, not just the one touched
  });

  it('when the rebuild fails too, every command gets the error and the next apply reads again', async () => {
    const { r, runner } = fakeRunner();
    const t = new NftLbTable({ runner });
    r.failNext = 1;
    const errors = await apply(t, [{ cmd: 'addService', service: web }, { cmd: 'addDest', service: web, dest: dest('198.51.100.21') }]);
    expect(errors).toHaveLength(2);
    expect(errors[0]!.message).toBe('nft exit 1: No such file or directory');
    const lists = r.lists;
    expect(await apply(t, [{ cmd: 'setDest', service: web, dest: dest('198.51.100.21', 2) }])).toEqual([]);
    expect(r.lists).toBe(lists + 2);
  });

  it('delService removes the service from the kernel and from the view', async () => {
    const { r, runner } = fakeRunner();
    const t = new NftLbTable({ runner });
    await apply(t, [{ cmd: 'addService', service: web }, { cmd: 'addDest', service: web, dest: dest('198.51.100.21') }]);
    expect(await apply(t, [{ cmd: 'delService', service: web }])).toEqual([]);
    expect(JSON.stringify(r.batches.at(-1))).toContain('"delete":{"chain":{"family":"ip","table":"keepalived_ts","name":"vs_tcp_203.0.113.10_80"}}');
    const view = await new Promise<Parameters<Parameters<NftLbTable['view']>[0]>[0]>((res) => t.view(res));
    expect(view.services).toEqual([]);
  });

  it('answers asynchronously, and after close with errors instead of silence', async () => {
    const { runner } = fakeRunner();
    const t = new NftLbTable({ runner });
    let sync = true;
    const p = new Promise<LbError[]>((res) => t.apply([{ cmd: 'addService', service: web }], (e) => (expect(sync).toBe(false), res(e))));
    sync = false;
    await p;
    t.close();
    expect((await apply(t, [{ cmd: 'delService', service: web }]))[0]!.message).toBe('nftables backend closed');
    expect(await new Promise((res) => t.flush(res))).toBe('nftables backend closed');
  });
});
