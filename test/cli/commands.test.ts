/**
 * The command line's dispatcher (adapters/node/cli-main.ts), in-process: a mistyped sub-command
 * starts nothing (issue 9 item 1), `--help` lists every sub-command and keepalived's flags,
 * `X --help` answers without reading a config, and an unknown flag exits 2 with usage (item 5).
 * The daemon's launch points (daemonize, runParent) are replaced by spies, so a regression
 * records a start instead of starting anything.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

const starts = vi.hoisted(() => ({ daemonize: [] as unknown[], runParent: [] as unknown[] }));
vi.mock('../../adapters/node/daemon/daemonize.js', async (orig) => ({
  ...(await orig<object>()),
  daemonize: (opts: unknown) => (starts.daemonize.push(opts), Promise.resolve(0)),
}));
vi.mock('../../adapters/node/daemon/parent.js', async (orig) => ({
  ...(await orig<object>()),
  runParent: (...args: unknown[]) => (starts.runParent.push(args), Promise.resolve(0)),
}));
// The daemon module queues SIGTERM/SIGHUP from the moment it loads: not in a test worker.
vi.mock('../../adapters/node/daemon/signals.js', async (orig) => ({ ...(await orig<object>()), bufferEarlySignals: () => undefined }));

const { main } = await import('../../adapters/node/cli-main.js');
const { COMMAND_NAMES } = await import('../../adapters/node/cli-usage.js');

const dir = mkdtempSync(join(tmpdir(), 'kts-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const goodConf = join(dir, 'new.conf');
writeFileSync(goodConf, 'vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority 100\n virtual_ipaddress {\n  203.0.113.10/32\n }\n}\n');

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  const l = vi.spyOn(console, 'log').mockImplementation((...a) => void (out += `${a.join(' ')}\n`));
  const ce = vi.spyOn(console, 'error').mockImplementation((...a) => void (err += `${a.join(' ')}\n`));
  try {
    return { code: await main(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    l.mockRestore();
    ce.mockRestore();
  }
}

const started = (): number => starts.daemonize.length + starts.runParent.length;

beforeEach(() => {
  starts.daemonize.length = 0;
  starts.runParent.length = 0;
});

describe('a mistyped sub-command starts nothing', () => {
  it("`chek -f new.conf` exits 2 with \"unknown command 'chek' (did you mean check?)\"", async () => {
    const r = await cli('chek', '-f', goodConf);
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'chek' (did you mean check?)");
    expect(r.err).toMatch(/^usage: keepalived-ts \[COMMAND\]/m);
    expect(started()).toBe(0);
  });

  it('every near miss of a command is named; other stray words are refused too', async () => {
    for (const [word, near] of [['simm', 'sim'], ['pacp', 'pcap'], ['deamon', 'daemon'], ['chekc', 'check'], ['hlep', 'help']] as const) {
      const r = await cli(word, '-n', '-f', goodConf);
      expect(r.code, word).toBe(2);
      expect(r.err, word).toContain(`unknown command '${word}' (did you mean ${near}?)`);
    }
    const far = await cli('frobnicate', '-f', goodConf);
    expect(far.code).toBe(2);
    expect(far.err).toContain("unknown command 'frobnicate'\n");
    const later = await cli('-n', '-f', goodConf, 'extra');
    expect(later.code).toBe(2);
    expect(later.err).toContain("unexpected argument 'extra'");
    const file = await cli(goodConf);
    expect(file.err).toContain(`a configuration file goes after -f: keepalived-ts -f ${goodConf}`);
    const afterT = await cli('-t', 'chek', '-f', goodConf);
    expect(afterT.code).toBe(2);
    expect(afterT.err).toContain("unexpected argument 'chek' (did you mean check?)");
    expect(started()).toBe(0);
  });

  it('the daemon still starts with only options (the spies see it)', async () => {
    expect((await cli('-f', goodConf)).code).toBe(0);
    expect(starts.daemonize).toHaveLength(1);
  });
});

describe('help', () => {
  it('top-level --help lists every sub-command, one line each, and keepalived\'s flags', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      for (const name of COMMAND_NAMES) expect(r.out, name).toMatch(new RegExp(`^  ${name} +\\S.*$`, 'm'));
      for (const flag of ['-f, --use-file=FILE', '-n, --dont-fork', '-t, --config-test', '-P, --vrrp', '-D, --log-detail']) expect(r.out).toContain(flag);
    }
    expect(started()).toBe(0);
  });

  it('X --help prints that command\'s help and exits 0 without reading a config', async () => {
    const missing = join(dir, 'does-not-exist.conf');
    const cases: Array<[string[], RegExp]> = [
      [['check', '--help', '-f', missing], /^usage: keepalived-ts check /m],
      [['check', '-h'], /^usage: keepalived-ts check /m],
      [['sim', '--help', '--config', missing], /^usage: keepalived-ts sim /m],
      [['pcap', '--help'], /^usage: keepalived-ts pcap /m],
      [['genhash', '--help'], /^Usage: keepalived-ts genhash /m],
      [['lvs', '--help'], /^Usage: keepalived-ts lvs \[--json\][\s\S]*^keepalived-ts lvs plan -f FILE /m],
      [['lvs', 'plan', '--help', '-f', missing], /^Usage: keepalived-ts lvs plan /m],
      [['help', 'lvs'], /^Usage: keepalived-ts lvs \[--json\][\s\S]*^keepalived-ts lvs plan -f FILE /m],
      [['daemon', '--help', '-f', missing], /^Usage: keepalived-ts \[daemon\] \[OPTION\.\.\.\]/m],
      [['help', 'check'], /^usage: keepalived-ts check /m],
      [['help', 'daemon'], /^Usage: keepalived-ts \[daemon\]/m],
    ];
    for (const [argv, re] of cases) {
      const r = await cli(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      expect(r.out, argv.join(' ')).toMatch(re);
      expect(r.err, argv.join(' ')).toBe('');
    }
    expect(started()).toBe(0);
  });

  it('help of an unknown command is a usage error', async () => {
    const r = await cli('help', 'chek');
    expect(r.code).toBe(2);
    expect(r.err).toContain("unknown command 'chek' (did you mean check?)");
  });
});

describe('an unknown flag of any sub-command exits 2 with usage', () => {
  const cases: Array<[string[], RegExp]> = [
    [['check', '--jsno', goodConf], /unknown option --jsno\nusage: keepalived-ts check /],
    [['-t', '--jsno', '-f', goodConf], /unknown option --jsno\nusage: keepalived-ts check /],
    [['sim', '--jsno'], /unknown option --jsno\nusage: keepalived-ts sim /],
    [['pcap', 'x.pcap', '--jsno'], /unknown option --jsno\nusage: keepalived-ts pcap /],
    [['genhash', '--jsno'], /Unknown option --jsno\nUsage: keepalived-ts genhash /],
    [['lvs', 'plan', '--jsno'], /unknown option --jsno\nusage: keepalived-ts lvs plan /],
    [['lvs', 'plan', '-f', goodConf, '--backend', 'ipsv'], /--backend ipsv: use ipvs or nftables\nusage: keepalived-ts lvs plan /],
    [['lvs', 'plan', '-f', goodConf, '--backend', 'nftables', '--hex'], /--hex is for --backend ipvs .*\nusage: keepalived-ts lvs plan /],
    [['lvs', 'plna'], /unknown sub-command 'plna' \(the only one is plan; without one, lvs shows the running daemon's table\)\nusage: keepalived-ts lvs plan /],
    [['lvs', '--jsno'], /lvs: unknown option --jsno\nUsage: keepalived-ts lvs \[--json\]/],
    [['daemon', '--jsno'], /Unknown option --jsno\nusage: keepalived-ts /],
    [['--jsno'], /Unknown option --jsno\nusage: keepalived-ts /],
    [['-n', '-Z', '-f', goodConf], /Unknown option -Z\nusage: keepalived-ts /],
    [['check', '-f'], /-f needs a file name\nusage: keepalived-ts check /],
  ];
  for (const [argv, re] of cases) {
    it(argv.join(' '), async () => {
      const r = await cli(...argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(re);
      expect(started()).toBe(0);
    });
  }

  it("check still accepts keepalived's own flags (and their values)", async () => {
    const r = await cli('check', '-nlD', '-p', join(dir, 'x.pid'), '--vrrp_pid', join(dir, 'v.pid'), '-S', '3', '-f', goodConf, '--no-host');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
  });
});
