/**
 * The supervisor with real child processes (the real child shell around the test double
 * runtime): respawn with backoff, hello watchdog, graceful stop, permanent errors.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChildSupervisor, type SupervisorOptions } from '../../adapters/node/daemon/supervisor.js';
import type { ChildRole } from '../../adapters/node/daemon/ipc.js';
import { packModel } from '../../adapters/node/daemon/held-config.js';
import { CollectingLogger, FAKE_CHILD, TSX_EXEC_ARGV, TWO_INSTANCES, WITH_VIRTUAL_SERVER, model, readJournal, sleep, tempDir, until } from './fixtures/harness.js';

const tmp = tempDir('kts-g-sup-');
afterAll(() => tmp.remove());

let n = 0;
const running: ChildSupervisor[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  delete process.env.KTS_FAKE_HANG;
  delete process.env.KTS_FAKE_PORTS_FAIL;
});

function make(role: ChildRole, over: Partial<SupervisorOptions> = {}) {
  const id = ++n;
  const journal = join(tmp.dir, `journal-${id}.jsonl`);
  process.env.KTS_FAKE_JOURNAL = journal;
  const log = new CollectingLogger();
  const fatal: string[] = [];
  const m = packModel(model(WITH_VIRTUAL_SERVER));
  const pidFile = join(tmp.dir, `${role}-${id}.pid`);
  const sup = new ChildSupervisor({
    role,
    entry: FAKE_CHILD,
    execArgv: TSX_EXEC_ARGV,
    startMessage: () => ({
      type: 'start',
      model: m,
      options: { name: 'test', dumpDir: tmp.dir, stopTimeoutMs: 2000, log: { role: 'parent', console: false, detail: false, syslog: false, facility: 'daemon' } },
    }),
    log,
    pidFile,
    respawn: true,
    helloIntervalMs: 200,
    helloMissLimit: 2,
    startupTimeoutMs: 15_000,
    backoff: { initialMs: 300, maxMs: 2400, resetAfterMs: 60_000 },
    stopTimeoutMs: 3000,
    onFatal: (r) => fatal.push(r),
    ...over,
  });
  running.push(sup);
  return { sup, log, fatal, journal, pidFile };
}

const started = (journal: string, role: string) => readJournal(journal).filter((e) => e.role === role && e.call === 'start');

describe('child supervisor', () => {
  beforeAll(() => {
    expect(model(TWO_INSTANCES).vrrpInstances).toHaveLength(2);
  });

  it('starts the child with its part of the model, writes its pid file, and keeps it while it answers hellos', async () => {
    const { sup, log, journal, pidFile } = make('vrrp');
    sup.start();
    const pid = sup.pid!;
    await until(() => started(journal, 'vrrp').length === 1, 'runtime start');
    expect(started(journal, 'vrrp')[0]).toMatchObject({ pid, instances: ['VI_1', 'VI_2'], virtualServers: 0, name: 'test' });
    expect(readFileSync(pidFile, 'utf8')).toBe(`${pid}\n`);
    expect(log.has(new RegExp(`^Starting VRRP child process, pid=${pid}$`))).toBe(true);
    await sleep(1200); // six hello periods
    expect(sup.pid).toBe(pid);
    expect(log.has(/did not answer hellos/)).toBe(false);
  });

  it('the checker child only sees virtual servers', async () => {
    const { sup, journal } = make('checker');
    sup.start();
    await until(() => started(journal, 'checker').length === 1, 'checker start');
    expect(started(journal, 'checker')[0]).toMatchObject({ instances: [], virtualServers: 1 });
  });

  it('respawns a killed child, with growing delays (backoff), and rewrites its pid file', async () => {
    const { sup, log, journal, pidFile } = make('vrrp');
    sup.start();
    const pids: number[] = [sup.pid!];
    const deathAt: number[] = [];
    const bornAt: number[] = [];
    for (let i = 0; i < 3; i++) {
      await until(() => started(journal, 'vrrp').length === i + 1, `start #${i + 1}`);
      deathAt.push(Date.now());
      process.kill(pids[i]!, 'SIGKILL');
      await until(() => sup.pid !== undefined && sup.pid !== pids[i] && sup.pid, `respawn #${i + 1}`, 8000);
      bornAt.push(Date.now());
      pids.push(sup.pid!);
    }
    await until(() => started(journal, 'vrrp').length === 4, 'fourth start');
    expect(new Set(pids).size).toBe(4);
    expect(readFileSync(pidFile, 'utf8')).toBe(`${pids[3]}\n`);
    expect(log.count(/^VRRP child process\(\d+\) died: Respawning$/)).toBe(3);
    expect(log.lines.filter((l) => /^Restart of VRRP child process delayed/.test(l.message)).map((l) => l.message)).toEqual([
      'Restart of VRRP child process delayed 300 ms to limit respawn rate',
      'Restart of VRRP child process delayed 600 ms to limit respawn rate',
      'Restart of VRRP child process delayed 1200 ms to limit respawn rate',
    ]);
    const gaps = bornAt.map((b, i) => b - deathAt[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(290);
    expect(gaps[2]).toBeGreaterThanOrEqual(1190);
    expect(log.has(/^pid \d+ exited due to signal SIGKILL$/)).toBe(true);
  });

  it('kills and respawns a child whose event loop stops answering hellos', async () => {
    process.env.KTS_FAKE_HANG = 'vrrp';
    const { sup, log, journal } = make('vrrp');
    sup.start();
    const first = sup.pid!;
    await until(() => readJournal(journal).some((e) => e.call === 'hang'), 'the child to hang');
    await until(() => sup.pid !== undefined && sup.pid !== first, 'the hung child to be replaced', 8000);
    expect(log.has(new RegExp(`^VRRP child process\\(${first}\\) did not answer hellos for \\d+ ms - killing it$`))).toBe(true);
    await until(() => started(journal, 'vrrp').length === 2, 'the new child to start');
    // The replacement answers its hellos and stays.
    const second = sup.pid;
    await sleep(1000);
    expect(sup.pid).toBe(second);
  });

  it('stop() runs runtime.stop() in the child, waits for it to exit, and removes the pid file', async () => {
    const { sup, journal, pidFile, log } = make('vrrp');
    sup.start();
    const pid = sup.pid!;
    await until(() => started(journal, 'vrrp').length === 1, 'start');
    await sup.stop();
    expect(readJournal(journal).filter((e) => e.pid === pid).map((e) => e.call)).toEqual(['createPorts', 'start', 'stop']);
    expect(existsSync(pidFile)).toBe(false);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(log.has(/died/)).toBe(false);
    await sup.stop(); // idempotent
  });

  it('a child that cannot build its runtime is a permanent error: no respawn loop', async () => {
    process.env.KTS_FAKE_PORTS_FAIL = 'vrrp';
    const { sup, log, fatal } = make('vrrp');
    sup.start();
    await until(() => fatal.length === 1, 'the fatal report');
    expect(log.has(/exited with permanent error FATAL. Terminating$/)).toBe(true);
    expect(log.has(/cannot start the vrrp runtime: fake ports refused/)).toBe(true);
    await sleep(700);
    expect(sup.running).toBe(false);
    expect(log.has(/Respawning/)).toBe(false);
  });

  it('with -R (no respawn) a dead child is reported instead of restarted', async () => {
    const { sup, log, fatal, journal } = make('vrrp', { respawn: false });
    sup.start();
    await until(() => started(journal, 'vrrp').length === 1, 'start');
    process.kill(sup.pid!, 'SIGKILL');
    await until(() => fatal.length === 1, 'the fatal report');
    expect(log.has(/^VRRP child process\(\d+\) died: Exiting$/)).toBe(true);
    expect(sup.running).toBe(false);
  });
});
