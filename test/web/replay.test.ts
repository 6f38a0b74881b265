/**
 * `keepalived-ts sim --replay FILE --web [ADDR:]PORT`: a trace file read back into the web view.
 *
 *   - sim/view/journal.ts: lines → records, bounded (over-long lines skipped without being held),
 *     malformed lines counted with their line numbers, stand-in actors for a daemon's journal;
 *   - adapters/node/web/replay.ts over a simulator's own trace (its `actor` records, not stand-ins);
 *   - end to end: test/fixtures/journal/lb-kib.jsonl, the journal of a real daemon (captured from
 *     test/system/daemon-status.test.ts: lb-kib starts BACKUP, its peer is killed -9, it becomes
 *     MASTER for master-down), with two bad lines appended, replayed by the CLI on 127.0.0.1:0 and
 *     read over HTTP and in headless Chromium: the slider moves VI_1's highlight from backup to master.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as simCommand } from '../../adapters/node/commands/sim.js';
import { describeReplay, loadReplay } from '../../adapters/node/web/replay.js';
import { parseSimArgs } from '../../sim/cli/args.js';
import { JournalReader, parseJournalLine, replayRecords } from '../../sim/view/journal.js';
import type { TraceRecord } from '../../sim/view/records.js';
import { viewAt } from '../../sim/view/view-model.js';
import { haveChromium, launchChromium, openView, screenshot, waitActive, type Browser } from '../helpers/browser.js';

const CLI = new URL('../../adapters/node/cli.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURE = new URL('../fixtures/journal/lb-kib.jsonl', import.meta.url).pathname;
const VRRP = new Map([['vrrpInstance', new Set(['init', 'backup', 'master', 'fault', 'stop'])], ['syncGroup', new Set(['init', 'backup', 'master', 'fault', 'stop'])]]);

function read(text: string, chunk: number, maxLine?: number, maxRecords?: number): JournalReader {
  const r = new JournalReader('j', maxLine, maxRecords);
  for (let i = 0; i < text.length; i += chunk) r.push(text.slice(i, i + chunk));
  r.end();
  return r;
}

describe('journal lines → records', () => {
  it('parses a line, or says why not', () => {
    expect(parseJournalLine('{"t":1.5,"type":"log","host":"a","message":"m"}')).toEqual({ t: 1.5, type: 'log', host: 'a', message: 'm' });
    expect(parseJournalLine('{"t":1.5,"type":"log"')).toMatch(/^not JSON/);
    expect(parseJournalLine('[1,2]')).toBe('not a JSON object');
    expect(parseJournalLine('null')).toBe('not a JSON object');
    expect(parseJournalLine('{"type":"log"}')).toBe('no numeric "t"');
    expect(parseJournalLine('{"t":"1","type":"log"}')).toBe('no numeric "t"');
    expect(parseJournalLine('{"t":1}')).toBe('no "type"');
    expect(parseJournalLine('{"t":1,"type":"log","host":7}')).toBe('"host" is not a string');
  });

  it('the same records whatever the chunk size; malformed and blank lines counted with their line numbers', () => {
    const text = ['{"t":1,"type":"log","host":"a","message":"é one"}', 'garbage', '', '{"t":2,"type":"state","host":"a","instance":"VI_1","from":"INIT","to":"BACKUP"}', '{"t":3}', '{"t":4,"type":"log","host":"a","message":"last, no newline"}'].join('\n');
    for (const chunk of [1, 3, 7, 64, 10_000]) {
      const r = read(text, chunk);
      expect(r.records.map((x) => x.t), `chunk ${chunk}`).toEqual([1, 2, 4]);
      expect(r.stats).toMatchObject({ lines: 6, records: 3, blank: 1, malformed: 2, tooLong: 0, overLimit: 0 });
      expect(r.stats.problems).toEqual([
        { source: 'j', line: 2, why: expect.stringMatching(/^not JSON/) },
        { source: 'j', line: 5, why: 'no "type"' },
      ]);
    }
  });

  it('skips an over-long line without holding it, in one chunk or across many, and goes on with the next', () => {
    const long = `{"t":5,"type":"log","message":"${'x'.repeat(500)}"}`;
    const text = `{"t":1,"type":"log"}\n${long}\n{"t":2,"type":"log"}\n${long}`;
    for (const chunk of [1, 50, 100_000]) {
      const r = read(text, chunk, 100);
      expect(r.records.map((x) => x.t), `chunk ${chunk}`).toEqual([1, 2]);
      expect(r.stats).toMatchObject({ lines: 4, records: 2, tooLong: 2, malformed: 0 });
      expect(r.stats.problems.map((p) => p.line)).toEqual([2, 4]);
    }
  });

  it('counts the records past the limit instead of keeping them', () => {
    const text = Array.from({ length: 10 }, (_, i) => `{"t":${i},"type":"log"}`).join('\n');
    const r = read(text, 16, undefined, 4);
    expect(r.records).toHaveLength(4);
    expect(r.stats).toMatchObject({ records: 4, overLimit: 6 });
  });

  it('a host without actor records gets stand-ins from its state and group records; one with them does not', () => {
    const recs: TraceRecord[] = [
      { t: 2, type: 'state', host: 'a', instance: 'VI_1', from: 'INIT', to: 'BACKUP', priority: 100, reason: 'startup' },
      { t: 1, type: 'log', host: 'a', message: 'first' },
      { t: 3, type: 'group', host: 'a', group: 'G1', to: 'MASTER' },
      { t: 4, type: 'state', host: 'a', instance: 'VI_1', from: 'BACKUP', to: 'DELETED', priority: 100, reason: 'reload' },
      { t: 4, type: 'state', host: 'a', instance: 'VI_2', from: 'BACKUP', to: 'WEIRD', priority: 100, reason: 'x' },
      { t: 2, type: 'state', host: 'b', instance: 'VI_1', from: 'INIT', to: 'MASTER', priority: 100, reason: 'startup' },
      { t: 2, type: 'actor', host: 'b', actor: 'vrrp/VI_1', machine: 'vrrpInstance', state: ['master.advertising'], event: 'x' },
    ];
    const out = replayRecords(recs, VRRP);
    expect(out.map((r) => r.t)).toEqual([...out.map((r) => r.t)].sort((x, y) => x - y));
    const actors = out.filter((r) => r.type === 'actor').map(({ t, host, actor, state, standIn }) => ({ t, host, actor, state, standIn }));
    expect(actors).toEqual([
      { t: 2, host: 'a', actor: 'vrrp/VI_1', state: ['backup'], standIn: true },
      { t: 2, host: 'b', actor: 'vrrp/VI_1', state: ['master.advertising'], standIn: undefined },
      { t: 3, host: 'a', actor: 'group/G1', state: ['master'], standIn: true },
      { t: 4, host: 'a', actor: 'vrrp/VI_1', state: [], standIn: true },
    ]);
    // The stand-ins light the diagrams but do not repeat the state lines in the event list.
    const v = viewAt(out, 3.5);
    expect(v.actors.map((a) => `${a.host} ${a.actor} ${a.state.join()}`)).toEqual(['a vrrp/VI_1 backup', 'b vrrp/VI_1 master.advertising', 'a group/G1 master']);
    expect(v.events.filter((e) => e.type === 'actor')).toEqual([expect.objectContaining({ host: 'b' })]);
  });

  it("the journal's runtime lines for VIPs and GARPs become vip and garp records; others stay", () => {
    const recs: TraceRecord[] = [
      { t: 1, type: 'runtime', host: 'a', event: 'vip.added', detail: '{"instance":"VI_1","address":"198.51.100.100/24"}' },
      { t: 2, type: 'runtime', host: 'a', event: 'garp.sent', detail: '{"instance":"VI_1","address":"198.51.100.100"}' },
      { t: 3, type: 'runtime', host: 'a', event: 'vip.removed', detail: 'not json' },
      { t: 4, type: 'runtime', host: 'a', event: 'advert.sent', detail: '{"instance":"VI_1","priority":100}' },
    ];
    expect(replayRecords(recs, VRRP)).toEqual([
      { t: 1, type: 'vip', host: 'a', instance: 'VI_1', address: '198.51.100.100/24', op: 'add' },
      { t: 2, type: 'garp', host: 'a', instance: 'VI_1', address: '198.51.100.100' },
      recs[2],
      recs[3],
    ]);
  });
});

describe('sim --replay arguments', () => {
  it('takes files and --web; refuses what belongs to a run', () => {
    expect(parseSimArgs(['--replay', 'a.jsonl', '--replay=b.jsonl', '--web', '0'])).toMatchObject({ replay: ['a.jsonl', 'b.jsonl'], web: '0' });
    expect(parseSimArgs(['--replay', 'a.jsonl'])).toEqual({ error: expect.stringMatching(/add --web/) });
    expect(parseSimArgs(['--replay', 'a.jsonl', '--web', '0', 'x.yaml', '--seed', '2'])).toEqual({ error: '--replay serves a saved trace and runs nothing: leave out a scenario (x.yaml), --seed' });
    expect(parseSimArgs(['--replay'])).toEqual({ error: '--replay needs a value' });
  });

  it('usage errors exit 2, an unreadable file 1, with the reason', async () => {
    const err: string[] = [];
    const deps = { stdout: () => undefined, stderr: (s: string) => void err.push(s), serveUntil: () => Promise.resolve() };
    expect(await simCommand(['--replay', FIXTURE], deps)).toBe(2);
    expect(await simCommand(['--replay', FIXTURE, '--web', 'eighty'], deps)).toBe(2);
    expect(await simCommand(['--replay', '/nonexistent/j.jsonl', '--web', '127.0.0.1:0'], deps)).toBe(1);
    expect(err.join('\n')).toMatch(/add --web[\s\S]*--web wants \[ADDR:\]PORT[\s\S]*--replay: ENOENT/);
  });
});

describe("replaying a simulator's trace", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kts-replay-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps its actor records (no stand-ins) and draws the machines they name', async () => {
    const trace = join(dir, 'sim.jsonl');
    expect(await simCommand(['examples/kill-restart.yaml', '--quiet', '--no-shrink', '--trace', trace], { cwd: ROOT, stdout: () => undefined, stderr: () => undefined })).toBe(0);
    const r = await loadReplay([trace]);
    expect(r.wall).toBe(false);
    expect(r.files[0]!.stats).toMatchObject({ malformed: 0, tooLong: 0 });
    expect(r.records.some((x) => x.standIn)).toBe(false);
    const machines = new Set(r.records.filter((x) => x.type === 'actor').map((x) => x.machine));
    expect(r.diagrams.map((d) => d.id).sort()).toEqual([...machines].sort());
    expect(machines.has('vrrpInstance')).toBe(true);
    expect(describeReplay(r).at(-1)).toMatch(/^from 0\.\d+ s to \d+\.\d+ s of simulated time$/);
  }, 120_000);
});

describe("a real daemon's journal, replayed on 127.0.0.1", () => {
  let dir: string;
  let proc: ChildProcess | undefined;
  let browser: Browser | undefined;
  let url = '';
  let out = '';
  const journal = readFileSync(FIXTURE, 'utf8');
  const first = (JSON.parse(journal.split('\n')[0]!) as { t: number }).t;
  const promoted = journal.split('\n').map((l) => JSON.parse(l || '{}') as Record<string, unknown>).find((x) => x.type === 'state' && x.to === 'MASTER')!.t as number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kts-replay-'));
    const file = join(dir, 'lb-kib.jsonl');
    writeFileSync(file, `${journal.trimEnd()}\n{"t":1796312450,"type":"log"\n${'z'.repeat(300_000)}\n`);
    proc = spawn(process.execPath, ['--import', 'tsx', CLI, 'sim', '--replay', file, '--web', '127.0.0.1:0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no web view URL within 60 s; stderr: ${err}`)), 60_000);
      proc!.stderr!.on('data', () => {
        const m = /web view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      proc!.on('exit', (code) => reject(new Error(`sim --replay exited (${code}) before serving; stderr: ${err}`)));
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    if (proc && proc.exitCode === null) proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const get = async (path: string) => (await fetch(new URL(path, url))).json() as Promise<Record<string, unknown>>;

  it('says what it read and what it left out', () => {
    const lines = journal.trimEnd().split('\n').length;
    expect(out).toContain(`lb-kib.jsonl: ${lines} records from ${lines + 2} lines, left out: 1 malformed, 1 too long`);
    expect(out).toMatch(new RegExp(`lb-kib\\.jsonl:${lines + 1}: not JSON`));
    expect(out).toMatch(new RegExp(`lb-kib\\.jsonl:${lines + 2}: longer than 262144 characters`));
    expect(out).toMatch(/from 2026-12-03T15:40:19\.754Z to 2026-12-03T15:40:43\.616Z \(23\.862 s\)/);
  });

  it('serves the journal over HTTP: wall-clock meta, the VRRP diagram, BACKUP before the takeover and MASTER after', async () => {
    expect(await get('/api/meta')).toMatchObject({ mode: 'replay', wall: true, first, title: 'replay of lb-kib.jsonl' });
    const diagrams = (await get('/api/diagrams')) as unknown as Array<{ id: string; states: Record<string, string> }>;
    expect(diagrams.map((d) => d.id)).toEqual(['vrrpInstance']);
    const at = async (t: number) => (await get(`/api/view?t=${t}`)) as unknown as ReturnType<typeof viewAt>;
    const before = await at(promoted - 1);
    expect(before.instances).toEqual([expect.objectContaining({ host: 'lb-kib', instance: 'VI_1', state: 'BACKUP', reason: 'startup' })]);
    expect(before.actors).toEqual([expect.objectContaining({ actor: 'vrrp/VI_1', machine: 'vrrpInstance', active: ['backup'] })]);
    const after = await at(promoted + 1);
    expect(after.instances).toEqual([expect.objectContaining({ state: 'MASTER', reason: 'master-down' })]);
    expect(after.actors).toEqual([expect.objectContaining({ actor: 'vrrp/VI_1', active: ['master'], event: 'master-down' })]);
    expect(after.events.map((e) => e.text)).toContain('VIP added 198.51.100.100/24');
  });

  it.skipIf(!haveChromium)('in Chromium the slider moves the highlight from backup to master, the clock shows +seconds and the time of day', async () => {
    browser = await launchChromium();
    const page = await browser.page();
    await openView(page, url, 60_000);
    const slide = (t: number) =>
      page.locator('#time').evaluate((el: HTMLInputElement, v) => {
        el.value = String(v);
        el.dispatchEvent(new Event('input'));
      }, t);
    await slide(promoted - 2);
    await waitActive(page, 'lb-kib', 'vrrp/VI_1', 'backup', 10_000);
    const clock = await page.locator('#clock').textContent();
    expect(clock).toMatch(new RegExp(`^\\+${(promoted - 2 - first).toFixed(1).replace('.', '\\.')}\\d* s · \\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`));
    await screenshot(page, 'replay-backup.png');
    await slide(promoted + 1);
    await waitActive(page, 'lb-kib', 'vrrp/VI_1', 'master', 10_000);
    await screenshot(page, 'replay-master.png');
    // ?t= in seconds from the first record opens the page there.
    const opened = await browser.page();
    await openView(opened, `${url}?t=${(promoted - first - 3).toFixed(3)}`, 60_000);
    await waitActive(opened, 'lb-kib', 'vrrp/VI_1', 'backup', 10_000);
    expect(await opened.locator('#clock').textContent()).toMatch(new RegExp(`^\\+${(promoted - first - 3).toFixed(3).replace('.', '\\.')} s · `));
    proc!.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (proc!.exitCode !== null ? r(proc!.exitCode) : proc!.on('exit', r)));
    expect(code).toBe(0);
  }, 180_000);
});
