/**
 * The IPVS backend, driven through the commands keepalived carried out in each golden case
 * (start, the checker events in checker_events.log, shutdown), sends keepalived's own bytes:
 * the same messages in the same order, byte for byte apart from sequence number and port id.
 * The only extra messages are the table reads (GET_SERVICE/GET_DEST dumps) we make before the
 * first change, which keepalived does not make.
 */
import { describe, expect, it } from 'vitest';
import { NlmFlag, readHeader } from 'ipvs-netlink';
import { FakeIpvsKernel } from 'ipvs-netlink/testing';
import type { LbCommand } from '../../actors/lvs/lb-port.js';
import type { IpvsGlobals } from '../../adapters/linux/lb-ipvs.js';
import { goldenAvailable, goldenMessages, normalised } from './golden.js';
import { add, addD, del, delD, harness, rs, setD, svc } from './ipvs-harness.js';

interface Scenario {
  globals?: IpvsGlobals;
  start: LbCommand[];
  events: LbCommand[][];
  stop: LbCommand[];
}

const vs01 = svc();
const vs02 = svc({ scheduler: 'wlc', persistenceTimeoutS: 300 });
const vs05 = svc({ family: 6, address: '2001:db8::10', port: 443 });
const rs05 = rs(0, { family: 6, address: '2001:db8::21', port: 443 });
const vsg = [svc({ address: '203.0.113.30' }), svc({ address: '203.0.113.31' })];
const vs08 = svc({ address: '203.0.113.50' });

const scenarios: Record<string, Scenario> = {
  '01-nat-rr-tcp': {
    start: [add(vs01), addD(vs01, rs(21)), addD(vs01, rs(22, { weight: 3 }))],
    events: [[delD(vs01, rs(22, { weight: 3 }))]],
    stop: [delD(vs01, rs(21)), del(vs01)],
  },
  '02-dr-wlc-persist-inhibit': {
    start: [add(vs02), addD(vs02, rs(21, { method: 'DR' })), addD(vs02, rs(22, { method: 'DR', weight: 3 }))],
    // inhibit_on_failure: the failed server stays with weight 0
    events: [[setD(vs02, rs(22, { method: 'DR', weight: 0 }))]],
    // at stop the inhibited server is deleted with its own weight (3), as keepalived does
    stop: [delD(vs02, rs(21, { method: 'DR' })), delD(vs02, rs(22, { method: 'DR', weight: 3 })), del(vs02)],
  },
  '05-ipv6-nat': {
    start: [add(vs05), addD(vs05, rs05)],
    events: [],
    stop: [delD(vs05, rs05), del(vs05)],
  },
  '06-vsg-quorum': {
    // a virtual_server_group: one service per address, each real server on every entry in turn
    start: [add(vsg[0]!), add(vsg[1]!), addD(vsg[0]!, rs(21)), addD(vsg[1]!, rs(21)), addD(vsg[0]!, rs(22)), addD(vsg[1]!, rs(22))],
    events: [[delD(vsg[0]!, rs(22)), delD(vsg[1]!, rs(22))]],
    stop: [delD(vsg[0]!, rs(21)), delD(vsg[1]!, rs(21)), del(vsg[0]!), del(vsg[1]!)],
  },
  '08-extra-syncd-checker': {
    globals: { lvsSyncDaemon: { interface: 'ipg08a', syncId: 5, maxlen: 1400, port: 8848, ttl: 2 } },
    // DR: the destination port is the virtual server's, whatever the real server says
    start: [add(vs08), addD(vs08, rs(21, { method: 'DR', port: 8080 }))],
    events: [],
    stop: [delD(vs08, rs(21, { method: 'DR' })), del(vs08)],
  },
};

const isDump = (m: Uint8Array) => (readHeader(m).flags & NlmFlag.DUMP) === NlmFlag.DUMP;

describe.skipIf(!goldenAvailable)('IPVS backend sends keepalived 2.2.7 bytes', () => {
  for (const [name, sc] of Object.entries(scenarios)) {
    it(name, async () => {
      const kernel = new FakeIpvsKernel({ familyId: 0x20 });
      const h = await harness({}, kernel);
      const g = sc.globals ?? {};
      expect(await h.startup(g)).toEqual([]);
      expect(await h.apply(sc.start)).toEqual([]);
      for (const ev of sc.events) expect(await h.apply(ev)).toEqual([]);
      expect(await h.apply(sc.stop)).toEqual([]);
      expect(await h.shutdown(g)).toEqual([]);
      h.table.close();

      const sent = kernel.requests;
      const firstDump = sent.findIndex(isDump);
      const dumps = sent.filter(isDump);
      // one GET_SERVICE dump at the first change (the kernel table is empty: no GET_DEST)
      expect(dumps.length).toBe(1);
      const ours = sent.filter((m) => !isDump(m)).map(normalised);
      const theirs = goldenMessages(name).map((m) => m.hex);
      expect(ours).toEqual(theirs);
      // the read comes right before the first service change
      expect(normalised(sent[firstDump + 1]!)).toBe(goldenMessages(name).find((m) => m.name === 'IPVS_CMD_NEW_SERVICE')!.hex);
      // and the table is empty again, as keepalived leaves it
      expect(kernel.table.size).toBe(0);
      expect(kernel.daemons.size).toBe(0);
    });
  }
});
