/**
 * Every shipped example runs on the real composition root and meets its expectations with no
 * unexpected invariant violation; the split-brain example is checked in detail.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDaemonRuntime } from '../../sim/daemon-runtime.js';
import { runScenario } from '../../sim/run.js';
import { EXAMPLES_DIR, loadExample } from './helpers/examples.js';

const examples = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml')).sort();

/** Findings keepalived 2.2.7 itself reports for the blog configs, kept on purpose (see each file). */
const KNOWN_WARNINGS: Record<string, RegExp> = {
  'seed-001-dual-master.yaml': /Truncating auth_pass to 8 characters/,
  'seed-002-nginx-pair.yaml': /vrrp_g(ar|n)a?p?_interval|vrrp_gna_interval|Strict mode does not support authentication|State MASTER must match being address owner/,
  'seed-003-lvs-dr-checkers.yaml': /ports don't match - resetting/,
};

describe('examples', () => {
  it('ships the examples the simulator promises', () => {
    expect(examples).toEqual(
      expect.arrayContaining([
        'default.yaml',
        'seed-001-dual-master.yaml',
        'seed-002-nginx-pair.yaml',
        'seed-003-lvs-dr-sync-group.yaml',
        'three-node-chain.yaml',
        'split-brain.yaml',
        'vm-pause.yaml',
        'kill-restart.yaml',
        'preempt-delay.yaml',
        'seed-003-lvs-dr-checkers.yaml',
        'lvs-web-pool-sorry-server.yaml',
        'lvs-flapping-server-hysteresis.yaml',
        'chaos-lvs-checkers.yaml',
      ]),
    );
  });

  for (const name of examples) {
    it(`${name} meets its expectations`, () => {
      const scn = loadExample(name);
      const known = KNOWN_WARNINGS[name];
      expect(scn.warnings.filter((w) => !known?.test(w))).toEqual([]);
      const r = runScenario(scn, { createRuntime: createDaemonRuntime });
      expect(r.expectations.length).toBeGreaterThan(0);
      expect(r.expectations.filter((x) => !x.ok)).toEqual([]);
      expect(r.violations.filter((v) => !scn.expectViolations.includes(v.id)).map((v) => `${v.id}: ${v.message}`)).toEqual([]);
      expect(r.passed).toBe(true);
    });
  }

  it('split brain: two masters during the partition, one after heal, and the recovery GARP', () => {
    const r = runScenario(loadExample('split-brain.yaml'), { createRuntime: createDaemonRuntime });
    const masters = r.history.filter((e) => e.type === 'state' && e.to === 'MASTER').map((e) => (e.type === 'state' ? [e.host, e.t / 1e6] : []));
    expect(masters.map((m) => m[0])).toEqual(['lb1', 'lb2']);
    const lb2Took = masters[1]![1] as number;
    expect(lb2Took).toBeGreaterThan(20);
    expect(lb2Took).toBeLessThan(20 + 3.61 + 0.1);
    const stepDown = r.history.find((e) => e.type === 'state' && e.host === 'lb2' && e.from === 'MASTER');
    expect(stepDown && stepDown.t / 1e6).toBeGreaterThanOrEqual(40);
    expect(stepDown && stepDown.t / 1e6).toBeLessThan(41.1);
    const recovery = r.history.filter((e) => e.type === 'garp' && e.host === 'lb1' && e.t >= 40e6 && e.t < 42e6);
    expect(recovery.length).toBeGreaterThan(0);
    const client = r.history.filter((e) => e.type === 'neighbour' && e.host === 'client').map((e) => (e.type === 'neighbour' ? e.owner : ''));
    expect(client).toEqual(['lb1/eth0', 'lb2/eth0', 'lb1/eth0']);
  });

  it('kill and restart: the restarted runtime sweeps the VIP its killed predecessor left before lb1 starts, so no BACKUP holds it (no L12)', () => {
    const r = runScenario(loadExample('kill-restart.yaml'), { createRuntime: createDaemonRuntime });
    expect(r.violations.map((v) => v.id)).toEqual(['S6']);
    const lb1 = r.history.filter((e) => 'host' in e && e.host === 'lb1' && e.t >= 20e6);
    const removed = lb1.find((e) => e.type === 'vip' && e.op === 'remove');
    const backup = lb1.find((e) => e.type === 'state' && e.to === 'BACKUP');
    expect(removed && backup && removed.t <= backup.t).toBe(true);
    expect(lb1.filter((e) => e.type === 'vip' && e.op === 'add')).toEqual([]);
  });

  it('preempt_delay: no "discarding" line while the statechart accepts the lower-priority adverts; the expectation can fail', () => {
    const scn = loadExample('preempt-delay.yaml');
    const r = runScenario(scn, { createRuntime: createDaemonRuntime });
    expect(r.expectations.find((x) => x.text.includes('no log line'))?.ok).toBe(true);
    const took = r.history.find((e) => e.type === 'state' && e.host === 'lb2' && e.to === 'MASTER');
    expect(took && took.t / 1e6).toBeGreaterThan(5 + 8);
    const strict = { ...scn, expectations: scn.expectations.map((x) => (x.kind === 'log' && !x.none ? { ...x, none: true } : x)) };
    const failed = runScenario(strict, { createRuntime: createDaemonRuntime }).expectations.filter((x) => !x.ok);
    expect(failed.map((x) => x.detail)).toEqual([expect.stringMatching(/^\d+ seen, first at 13\.6/)]);
  });
});
