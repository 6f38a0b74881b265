import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultFlags, parseFacility, parseFlags, parseUmask, type DaemonFlags } from '../../adapters/node/daemon/flags.js';
import { signumOf } from '../../adapters/node/daemon/signals.js';

/** keepalived(8) 2.2.7 options that keepalived-ts implements, with the effect each must have. */
const IMPLEMENTED: Array<[string[], Partial<DaemonFlags>]> = [
  [['-f', '/etc/k.conf'], { configFile: '/etc/k.conf' }],
  [['--use-file=/etc/k.conf'], { configFile: '/etc/k.conf' }],
  [['--use-file', '/etc/k.conf'], { configFile: '/etc/k.conf' }],
  [['-f/etc/k.conf'], { configFile: '/etc/k.conf' }],
  [['-P'], { vrrpOnly: true }],
  [['--vrrp'], { vrrpOnly: true }],
  [['-C'], { checkOnly: true }],
  [['--check'], { checkOnly: true }],
  [['--all'], { all: true }],
  [['-l'], { logConsole: true }],
  [['--log-console'], { logConsole: true }],
  [['-D'], { logDetail: true }],
  [['--log-detail'], { logDetail: true }],
  [['-S', '3'], { logFacility: 'local3' }],
  [['--log-facility=local7'], { logFacility: 'local7' }],
  [['-S', 'user'], { logFacility: 'user' }],
  [['-g', '/var/log/k.log'], { logFile: '/var/log/k.log' }],
  [['--log-file=/var/log/k.log'], { logFile: '/var/log/k.log' }],
  [['--flush-log-file'], { flushLogFile: true }],
  [['-G'], { noSyslog: true }],
  [['--no-syslog'], { noSyslog: true }],
  [['-u', '022'], { umask: 0o22 }],
  [['--umask=0077'], { umask: 0o77 }],
  [['-R'], { dontRespawn: true }],
  [['--dont-respawn'], { dontRespawn: true }],
  [['-n'], { dontFork: true }],
  [['--dont-fork'], { dontFork: true }],
  [['-d'], { dumpConf: true }],
  [['--dump-conf'], { dumpConf: true }],
  [['-p', '/run/a.pid'], { pidFile: '/run/a.pid' }],
  [['--pid=/run/a.pid'], { pidFile: '/run/a.pid' }],
  [['-r', '/run/v.pid'], { vrrpPidFile: '/run/v.pid' }],
  [['--vrrp_pid=/run/v.pid'], { vrrpPidFile: '/run/v.pid' }],
  [['-c', '/run/c.pid'], { checkersPidFile: '/run/c.pid' }],
  [['--checkers_pid=/run/c.pid'], { checkersPidFile: '/run/c.pid' }],
  [['-i', 'lb1'], { configId: 'lb1' }],
  [['--config-id', 'lb1'], { configId: 'lb1' }],
  [['--signum=JSON'], { signum: 'JSON' }],
  [['-t'], { configTest: true }],
  [['--config-test'], { configTest: true }],
  [['--config-test=/tmp/t.log'], { configTest: '/tmp/t.log' }],
  [['-t/tmp/t.log'], { configTest: '/tmp/t.log' }],
  [['-v'], { version: true }],
  [['--version'], { version: true }],
  [['-h'], { help: true }],
  [['--help'], { help: true }],
  [['--single-process'], { singleProcess: true }],
  [['--web', '8080'], { web: '8080' }],
  [['--web=198.51.100.1:8080'], { web: '198.51.100.1:8080' }],
  [['--inspect'], { inspect: true }],
  [['--inspect=ws://127.0.0.1:8080'], { inspect: 'ws://127.0.0.1:8080' }],
  [['-s', 'blue'], { namespace: 'blue' }],
  [['--namespace=blue'], { namespace: 'blue' }],
];

/** Accepted for compatibility: parsed (with their argument) and reported, never an error. */
const ACCEPTED_IGNORED: string[][] = [
  ['-X'],
  ['--release-vips'],
  ['-V'],
  ['--dont-release-vrrp'],
  ['-I'],
  ['--dont-release-ipvs'],
  ['-T'],
  ['--genhash'],
  ['-a'],
  ['--address-monitoring'],
  ['-x'],
  ['--snmp'],
  ['-A', '/var/agentx/master'],
  ['--snmp-agent-socket=/var/agentx/master'],
  ['-m'],
  ['--core-dump'],
  ['-M'],
  ['-Mcore.%p'],
  ['--core-dump-pattern=core'],
  ['-e'],
  ['--all-config'],
  ['--perf'],
  ['--perf=run'],
  ['--debug=DvEcvNR'],
];
const ACCEPTED_SILENT: string[][] = [['-B'], ['--no_bfd'], ['-b', '/run/bfd.pid'], ['--bfd_pid=/run/bfd.pid'], ['--no-mem-check']];

describe('keepalived flags', () => {
  it.each(IMPLEMENTED)('%j', (argv, expected) => {
    const r = parseFlags(argv);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.unexpected).toEqual([]);
    expect(r.flags).toMatchObject(expected);
  });

  it.each(ACCEPTED_IGNORED)('%s is accepted with a warning', (...argv) => {
    const r = parseFlags(argv);
    expect(r.errors).toEqual([]);
    expect(r.unexpected).toEqual([]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/not supported by keepalived-ts - ignoring/);
  });

  it.each(ACCEPTED_SILENT)('%s is accepted (nothing to do)', (...argv) => {
    const r = parseFlags(argv);
    expect(r).toMatchObject({ errors: [], warnings: [], unexpected: [] });
  });

  it('defaults match keepalived', () => {
    const f = parseFlags([]).flags;
    expect(f).toEqual(defaultFlags());
    expect(f.configFile).toBe('/etc/keepalived/keepalived.conf');
    expect(f.logFacility).toBe('daemon');
    expect(f.umask).toBe(0o177);
    expect(f.dontFork).toBe(false);
  });

  it('clusters short options and takes the rest of the word as the argument', () => {
    const r = parseFlags(['-nlDf/etc/x.conf', '-Pp', '/run/p.pid']);
    expect(r.errors).toEqual([]);
    expect(r.flags).toMatchObject({ dontFork: true, logConsole: true, logDetail: true, configFile: '/etc/x.conf', vrrpOnly: true, pidFile: '/run/p.pid' });
  });

  it('accepts unique prefixes of long options, like getopt_long (keepalived accepts --vrrp_p=, --pi)', () => {
    const r = parseFlags(['--vrrp_p=/run/v.pid', '--pi', '/run/k.pid', '--dont-f']);
    expect(r.errors).toEqual([]);
    expect(r.flags).toMatchObject({ vrrpPidFile: '/run/v.pid', pidFile: '/run/k.pid', dontFork: true });
    // "--vrrp" is a whole option name: it must not be taken as an ambiguous prefix of --vrrp_pid.
    expect(parseFlags(['--vrrp']).flags.vrrpOnly).toBe(true);
    expect(parseFlags(['--dont']).errors).toEqual(['Ambiguous option --dont']);
  });

  it('reports unknown options and missing parameters with keepalived wording', () => {
    expect(parseFlags(['--bogus']).errors).toEqual(['Unknown option --bogus']);
    expect(parseFlags(['-Z']).errors).toEqual(['Unknown option -Z']);
    expect(parseFlags(['-f']).errors).toEqual(['Missing parameter for option -f']);
    expect(parseFlags(['--signum']).errors).toEqual(['Missing parameter for option --signum']);
    expect(parseFlags(['-n=1']).errors).toEqual(['Unknown option -=', 'Unknown option -1']);
    expect(parseFlags(['--dont-fork=1']).errors).toEqual(['Option --dont-fork does not take a parameter']);
  });

  it('keeps the default on a bad facility or umask and says why (keepalived carries on too)', () => {
    const r = parseFlags(['-S', 'local9', '-u', 'abc']);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(["Invalid log facility 'local9'", 'Invalid --umask option abc']);
    expect(r.flags.logFacility).toBe('daemon');
    expect(r.flags.umask).toBe(0o177);
  });

  it('collects stray words as unexpected arguments, and everything after --', () => {
    const r = parseFlags(['-n', 'extra', '--', '-l']);
    expect(r.unexpected).toEqual(['extra', '-l']);
    expect(r.flags.logConsole).toBe(false);
  });

  it('the first of -v / -h wins, as in keepalived', () => {
    expect(parseFlags(['-v', '-h']).flags).toMatchObject({ version: true, help: false });
    expect(parseFlags(['-h', '-v']).flags).toMatchObject({ version: false, help: true });
  });

  it('facility and umask parsers', () => {
    expect(['0', '7', 'local0', 'local7', 'user', 'daemon'].map(parseFacility)).toEqual(['local0', 'local7', 'local0', 'local7', 'user', 'daemon']);
    expect(['8', 'kern', 'local8', ''].map(parseFacility)).toEqual([undefined, undefined, undefined, undefined]);
    expect(['0177', '18', '0x1f', '0', '0999', '01000', '-1'].map(parseUmask)).toEqual([0o177, 18, 31, 0, undefined, undefined, undefined]);
  });

  it('--signum numbers are those of keepalived 2.2.7 on Linux', () => {
    expect(['STOP', 'RELOAD', 'DATA', 'STATS', 'STATS_CLEAR', 'JSON', 'json', 'TDATA'].map(signumOf)).toEqual([15, 1, 10, 12, 63, 36, 36, undefined]);
  });
});

const KEEPALIVED = '/usr/sbin/keepalived';

describe.skipIf(!existsSync(KEEPALIVED))('against the installed keepalived', () => {
  // keepalived prints its help on stderr.
  const helpText = execFileSync('sh', ['-c', `${KEEPALIVED} --help 2>&1`], { encoding: 'utf8', timeout: 5000 });
  const options = [...helpText.matchAll(/^\s+(?:-(\w), )?--([\w-]+)(\[=|=| [a-z]+(?= ))?/gm)].map((m) => ({
    short: m[1],
    long: m[2]!,
    // "=FILE" or " id": a required argument; "[=FILE]": an optional one.
    arg: m[3] === undefined || m[3] === '[=' ? undefined : '=',
  }));

  it('lists the options we expect (sanity check of the help parser)', () => {
    expect(options.length).toBeGreaterThanOrEqual(30);
    expect(options.map((o) => o.long)).toContain('use-file');
  });

  it('every option of `keepalived --help` is accepted by keepalived-ts, short and long', () => {
    // keepalived(8) documents --core-dump-pattern[=PATTERN] as optional although --help shows "=PATN".
    const optionalPerManPage = new Set(['core-dump-pattern']);
    for (const o of options) {
      const value = o.arg === '=' && !optionalPerManPage.has(o.long) ? ['x'] : [];
      const long = parseFlags([`--${o.long}`, ...value]);
      expect(long.errors, `--${o.long}`).toEqual([]);
      expect(long.unexpected, `--${o.long}`).toEqual([]);
      if (o.short) {
        const short = parseFlags([`-${o.short}`, ...value]);
        expect(short.errors, `-${o.short}`).toEqual([]);
        expect(short.unexpected, `-${o.short}`).toEqual([]);
      }
    }
  });

  it('--signum answers like keepalived for every function it knows', () => {
    for (const fn of ['STOP', 'RELOAD', 'DATA', 'STATS', 'STATS_CLEAR', 'JSON']) {
      const theirs = Number(execFileSync(KEEPALIVED, [`--signum=${fn}`], { encoding: 'utf8', timeout: 5000 }).trim());
      expect(signumOf(fn), fn).toBe(theirs);
    }
  });
});
