/**
 * The daemon, driven through the checker events of each golden case, sends keepalived 2.2.7's
 * own IPVS messages from start to stop (../shared/ipvs-golden: keepalived run 8 s with one real
 * server answering, 198.51.100.21, and one that never does, .22, then SIGTERM). The case's
 * keepalived.conf runs in the daemon's LVS subsystem on a simulated director with those two
 * servers (sim/tools/lvs-record.ts), and its table calls are replayed on the IPVS backend over a
 * fake socket (ipvs-netlink's FakeIpvsKernel): every request that changes the table, start-up,
 * checker events and shutdown, equals keepalived's byte for byte apart from sequence number and
 * port id. (lb-ipvs-golden.test.ts drives the backend alone with hand-written commands.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeIpvsKernel } from 'ipvs-netlink/testing';
import { changesIpvsTable } from '../../adapters/node/lvs-plan.js';
import { modelForRole } from '../../adapters/node/daemon/roles.js';
import { openIpvsTable, type IpvsTable } from '../../adapters/linux/lb-ipvs.js';
import { compileConfig } from '../../config/index.js';
import { recordLvsTable, replayTable } from '../../sim/tools/lvs-record.js';
import { GOLDEN_DIR, goldenAvailable, goldenCases, goldenMessages, normalised } from './golden.js';

const tcp = (port: number) => ({ kind: 'tcp' as const, proto: 'tcp' as const, port });

function model(name: string) {
  const file = join(GOLDEN_DIR, name, 'keepalived.conf');
  const r = compileConfig(file, (p) => (p === file ? readFileSync(file, 'utf8') : undefined), {});
  expect(r.diagnostics.filter((d) => d.kind === 'fatal')).toEqual([]);
  return modelForRole(r.model, 'checker');
}

const openTable = (kernel: FakeIpvsKernel) =>
  new Promise<IpvsTable>((resolve, reject) => openIpvsTable({ transport: kernel }, (r) => (r.ok ? resolve(r.table) : reject(new Error(r.message)))));

describe.skipIf(!goldenAvailable)('the daemon through the checker events sends keepalived 2.2.7 bytes, start to stop', () => {
  for (const name of goldenCases()) {
    it(name, async () => {
      const kernel = new FakeIpvsKernel({ familyId: 0x20 });
      const table = await openTable(kernel);
      // As run_cases.py: the director on 198.51.100.1/24 and 2001:db8::1/64; .21 answers, .22 is silent; SIGTERM at 8 s.
      const rec = recordLvsTable(model(name), table, {
        nics: [{ name: 'eth0', segment: 'lan', addresses: ['198.51.100.1/24', '2001:db8::1/64'] }],
        hosts: [{ name: 'rs21', nics: [{ name: 'eth0', segment: 'lan', addresses: ['198.51.100.21/24', '2001:db8::21/64'] }], services: [tcp(80), tcp(443), tcp(8080)] }],
        stopAtMs: 8000,
      });
      const first = kernel.requests.length;
      const errors = await new Promise<string[]>((resolve) => replayTable(table, rec.ops, resolve));
      table.close();
      expect(errors).toEqual([]);
      const ours = kernel.requests.slice(first).filter((m) => changesIpvsTable(m)).map(normalised);
      const theirs = goldenMessages(name).filter((m) => m.process === 'checker' && !/GET|GETFAMILY/.test(m.name)).map((m) => m.hex);
      expect(ours).toEqual(theirs);
      // and what the daemon logged on the way, for the record
      expect(rec.logs.some((l) => /Stopped|Stopping|Shutting down/.test(l))).toBe(true);
    });
  }
});
