/** `keepalived-ts sim` end to end through its run() entry (same code the CLI dispatches to). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultScenarioPath, run } from '../../adapters/node/commands/sim.js';
import { parseFaultText } from '../../sim/cli/adhoc.js';
import { parseSimArgs } from '../../sim/cli/args.js';
import { EXAMPLES_DIR } from './helpers/examples.js';

const dir = mkdtempSync(join(tmpdir(), 'ka-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sim(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, { stdout: (s) => out.push(s), stderr: (s) => err.push(s), isTTY: false, cwd: EXAMPLES_DIR });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const LB = (prio: number) => `vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority ${prio}
    advert_int 1
    virtual_ipaddress { 198.51.100.100/24 }
}
`;

describe('sim command', () => {
  it('runs the bundled default scenario with no arguments', async () => {
    expect(readFileSync(defaultScenarioPath(), 'utf8')).toContain('name:');
    const r = await sim(['--quiet']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/expectations met, 0 invariant violations/);
  });

  it('prints a timeline, writes trace, pcap and SVG', async () => {
    const trace = join(dir, 't.jsonl');
    const pcap = join(dir, 't.pcap');
    const svg = join(dir, 't.svg');
    const r = await sim(['split-brain.yaml', '--trace', trace, '--pcap', pcap, '--svg', svg]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('⚡ fault        partition lan [lb1] | [lb2,client]');
    expect(r.out).toContain('lb2/VI_1       BACKUP → MASTER');
    expect(r.out).not.toContain('\x1b[');
    const lines = readFileSync(trace, 'utf8').trim().split('\n');
    expect(lines.every((l) => JSON.parse(l).t >= 0)).toBe(true);
    expect(readFileSync(pcap).readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[\s\S]*lb2 · VI_1[\s\S]*<\/svg>$/);
  });

  it('--seeds runs many seeds and summarises', async () => {
    const r = await sim(['chaos-three-node.yaml', '--seeds', '1..3', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^3 seeds, 0 failing; \d+ events; simulated 3m/m);
  });

  it('--config/--fault rehearses production configs without YAML', async () => {
    writeFileSync(join(dir, 'lb1.conf'), LB(150));
    writeFileSync(join(dir, 'lb2.conf'), LB(100));
    const out: string[] = [];
    const code = await run(['--config', 'lb1.conf', '--config', 'lb2.conf', '--fault', '10s crash lb1 for 10s', '--fault', '30s pause lb1 for 4s', '--until', '45s'], {
      stdout: (s) => out.push(s),
      stderr: () => {},
      isTTY: false,
      cwd: dir,
    });
    const text = out.join('\n');
    expect(code).toBe(0);
    expect(text).toContain('lb1 + lb2 (from --config)');
    expect(text).toMatch(/lb2\/VI_1\s+BACKUP → MASTER/);
    expect(text).toContain('⚡ fault        pause lb1');
    expect(text).toMatch(/0 invariant violations/);
  });

  it('a scenario demonstrating a hazard passes when exactly that hazard shows', async () => {
    const r = await sim(['split-brain-stale-arp.yaml', '--quiet']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('demonstrates L12: seen as expected');
  });

  it('bad arguments and bad scenarios exit 2 with a reason', async () => {
    expect((await sim(['--seeds', '5..1'])).err).toContain('--seeds wants A..B');
    expect((await sim(['--seed', '1', '--seeds', '1..2'])).code).toBe(2);
    expect((await sim(['--fault', '1s crash a'])).err).toContain('--fault goes with --config');
    const missing = await sim(['no-such.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('cannot read scenario');
    writeFileSync(join(dir, 'bad.yaml'), 'hosts:\n  a:\n    nics: { eth0: { segment: lan, address: 198.51.100.1/24 } }\ntimeline:\n  - at: 1s\n    crash: b\n');
    const bad = await sim([join(dir, 'bad.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad.yaml:6: timeline.0.crash: unknown host "b"/);
  });

  it('a failed expectation exits 1 and says what was seen', async () => {
    writeFileSync(
      join(dir, 'flappy.yaml'),
      `name: early expectation
duration: 20s
hosts:
  a: { nics: { eth0: { segment: lan, address: 198.51.100.11/24 } }, configFile: ${join(dir, 'lb1.conf')} }
  b: { nics: { eth0: { segment: lan, address: 198.51.100.12/24 } }, configFile: ${join(dir, 'lb2.conf')} }
timeline:
  - { at: 5s, for: 2s, pause: b }
  - { at: 8s, crash: a }
expect:
  - { at: 15s, expect: { host: a, instance: VI_1, state: MASTER } }
`,
    );
    const r = await sim([join(dir, 'flappy.yaml'), '--quiet']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('✗ expect at 15s: a/VI_1 is MASTER');
  });
});

describe('sim arguments', () => {
  it('parses every option', () => {
    expect(parseSimArgs(['x.yaml', '--seed', '7', '--until', '2m', '--trace', 't', '--pcap=p', '--svg', 's', '--no-color', '--verbose'])).toMatchObject({
      scenario: 'x.yaml',
      seed: 7,
      untilMs: 120_000,
      trace: 't',
      pcap: 'p',
      svg: 's',
      colour: false,
      verbose: true,
    });
    expect(parseSimArgs(['--seeds', '1..1000'])).toMatchObject({ seeds: { from: 1, to: 1000 } });
    expect(parseSimArgs(['--bogus'])).toEqual({ error: 'unknown option --bogus' });
  });

  it('turns --fault text into timeline entries', () => {
    expect(parseFaultText('20s pause lb1 for 4s')).toEqual({ at: '20s', for: '4s', pause: 'lb1' });
    expect(parseFaultText('30s partition lb1 | lb2, client')).toEqual({ at: '30s', partition: [['lb1'], ['lb2', 'client']] });
    expect(parseFaultText('5s link lb1/eth0 down')).toEqual({ at: '5s', link: 'lb1/eth0 down' });
    expect(parseFaultText('5s loss 30 for 10s')).toEqual({ at: '5s', for: '10s', loss: '30' });
    expect(parseFaultText('5s explode lb1')).toEqual({ error: expect.stringMatching(/^unknown kind explode; kinds: crash /), column: 3 });
    expect(parseFaultText('  5s crash')).toEqual({ error: 'crash needs a host, e.g. "5s crash lb1"', column: 5 });
  });
});
