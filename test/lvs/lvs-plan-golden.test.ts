/**
 * `keepalived-ts lvs plan -f FILE --hex` against keepalived 2.2.7's own start-up messages
 * (../shared/ipvs-golden, see its README): for each captured config, the lines are the requests
 * keepalived sent at start that change the table (the family lookup, GET_INFO and GET_CONFIG
 * left out), in the same order, byte for byte apart from sequence number, port id and family id;
 * the next captured request is no longer a start-up one. Also the readable form and nftables.
 */
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { run } from '../../adapters/node/commands/lvs.js';
import { GOLDEN_DIR, goldenAvailable, goldenCases, goldenMessages } from './golden.js';

async function lvs(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await run(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** Sequence number, port id and family id zeroed (hex of nlmsghdr onwards). */
const bare = (hex: string) => `${hex.slice(0, 8)}0000${hex.slice(12, 16)}${'0'.repeat(16)}${hex.slice(32)}`;
const conf = (name: string) => join(GOLDEN_DIR, name, 'keepalived.conf');
const START_UP = /NEW_SERVICE|NEW_DEST|NEW_DAEMON|DEL_DAEMON|FLUSH|SET_CONFIG/;

describe.skipIf(!goldenAvailable)('lvs plan --hex prints keepalived 2.2.7 start-up bytes', () => {
  for (const name of goldenCases()) {
    it(name, async () => {
      const r = await lvs('plan', '-f', conf(name), '--backend', 'ipvs', '--hex');
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const ours = r.out.trimEnd().split('\n');
      const theirs = goldenMessages(name).filter((m) => m.process === 'checker' && !/GET/.test(m.name));
      expect(ours.length).toBeGreaterThan(0);
      expect(ours.map(bare)).toEqual(theirs.slice(0, ours.length).map((m) => bare(m.hex)));
      // what follows in the capture is a checker event or the shutdown, not a start-up request we left out
      const next = theirs[ours.length];
      expect(next === undefined || !/NEW_/.test(next.name)).toBe(true);
      expect(theirs.slice(0, ours.length).every((m) => START_UP.test(m.name))).toBe(true);
    });
  }
});

describe.skipIf(!goldenAvailable)('lvs plan, readable and nftables', () => {
  it('IPVS in words, one request per line', async () => {
    const r = await lvs('plan', '-f', conf('02-dr-wlc-persist-inhibit'));
    expect(r.code).toBe(0);
    expect(r.out.trimEnd().split('\n')).toEqual([
      'NEW_SERVICE TCP 203.0.113.10:80 wlc flags 0x1 persistent 300 netmask 255.255.255.255',
      'NEW_DEST TCP 203.0.113.10:80 -> 198.51.100.21:80 route weight 1',
      'NEW_DEST TCP 203.0.113.10:80 -> 198.51.100.22:80 route weight 3',
    ]);
  });

  it('nftables: the JSON batch, with both real servers in the DNAT map', async () => {
    const r = await lvs('plan', '-f', conf('01-nat-rr-tcp'), '--backend', 'nftables');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const batch = JSON.parse(lines[0]!) as { nftables: unknown[] };
    expect(batch.nftables[0]).toEqual({ add: { table: { family: 'ip', name: 'keepalived_ts' } } });
    const text = lines[0]!;
    expect(text).toContain('"concat":["203.0.113.10","tcp",80]');
    expect(text).toContain('"concat":["198.51.100.21",80]');
    expect(text).toContain('"concat":["198.51.100.22",80]');
  });

  it('nftables refuses a DR virtual server: the reason on stderr, nothing programmed, exit 1', async () => {
    const r = await lvs('plan', '-f', conf('02-dr-wlc-persist-inhibit'), '--backend', 'nftables');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^error: VS \[203\.0\.113\.10\]:tcp:80 .* not started: the nftables backend cannot program it: lvs_method DR needs IPVS/m);
  });
});
