/**
 * The web view in a real browser (headless Chromium, playwright-core): every machine is drawn,
 * each actor's current state is highlighted, and the highlight follows what happens.
 *
 *   - two keepalived-ts daemons in network namespaces, each with `--web ADDR:PORT` on the bridge;
 *     Chromium runs in an observer namespace. kill -9 of the master: the backup's page moves
 *     its VRRP instance's highlight from backup to master (root only).
 *   - `keepalived-ts sim examples/kill-restart.yaml --web 127.0.0.1:0`: the time slider moves
 *     lb2's highlight from backup (before the kill) to master (after it).
 *
 * Screenshots are kept in test-artifacts/web/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cards, haveChromium, launchChromium, openView, screenshot, waitActive, type Browser } from '../helpers/browser.js';
import { DaemonLab, type DaemonHandle } from '../helpers/daemon-lab.js';
import { isRoot, rootRequiredReason } from '../helpers/netns.js';

const CLI = new URL('../../adapters/node/cli.ts', import.meta.url).pathname;
const ROOT = new URL('../../', import.meta.url).pathname;
const VIP = '198.51.100.100';
const PORT = 8080;

interface ViewActor {
  host: string;
  actor: string;
  machine: string;
  state: string[];
}

function conf(router: string, priority: number, ifname: string): string {
  return `global_defs {
  router_id ${router}
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
}
vrrp_instance VI_1 {
  state BACKUP
  interface ${ifname}
  virtual_router_id 51
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    ${VIP}/24
  }
}
vrrp_instance VI_2 {
  state BACKUP
  interface ${ifname}
  virtual_router_id 52
  priority ${priority}
  advert_int 1
  virtual_ipaddress {
    198.51.100.101/24
  }
}
`;
}

const noChromium = `needs ${'/usr/bin/chromium'} (Debian package chromium)`;
const fetchJson = <T>(page: import('playwright-core').Page, path: string): Promise<T> => page.evaluate(async (p) => (await fetch(p)).json(), path) as Promise<T>;

/** Every actor the server reports has a card with its diagram drawn and its state highlighted. */
async function expectEveryMachineDrawn(page: import('playwright-core').Page): Promise<ViewActor[]> {
  const view = await fetchJson<{ actors: ViewActor[] }>(page, '/api/view');
  const diagrams = await fetchJson<Array<{ id: string }>>(page, '/api/diagrams');
  const shown = await cards(page);
  expect(view.actors.length).toBeGreaterThan(0);
  for (const a of view.actors) {
    const c = shown.find((x) => x.host === a.host && x.actor === a.actor);
    expect(c, `card for ${a.host} ${a.actor}`).toBeDefined();
    expect(c!.drawn, `diagram of ${a.host} ${a.actor} (${a.machine})`).toBe(true);
    if (a.state.length > 0) expect(c!.lit, `highlight of ${a.host} ${a.actor} in ${a.state.join(',')}`).toBeGreaterThan(0);
  }
  // Every machine the server drew is the machine of some card.
  for (const d of diagrams) expect(shown.some((c) => c.machine === d.id), `a card of machine ${d.id}`).toBe(true);
  return view.actors;
}

const daemonSkip = !isRoot ? rootRequiredReason : !haveChromium ? noChromium : undefined;
describe.skipIf(daemonSkip !== undefined)(`daemon --web in a browser${daemonSkip ? ` (skipped: ${daemonSkip})` : ''}`, () => {
  const lab = new DaemonLab('kts-w-');
  let browser: Browser | undefined;
  const daemons: DaemonHandle[] = [];
  afterAll(async () => {
    await browser?.close();
    for (const d of daemons) d.kill9();
    await lab.cleanup();
  });

  it('draws every machine of both daemons; kill -9 of the master moves the backup\'s highlight to master', async () => {
    await lab.setup(['a', 'b'], { observer: true });
    const a = lab.host('a');
    const b = lab.host('b');
    const A = lab.startOurs(a, conf('lb_a', 150, a.ifname), ['--web', `${a.ipv4}:${PORT}`]);
    daemons.push(A);
    await A.proc.waitFor(/\(VI_1\) Entering MASTER STATE/, 90_000);
    const B = lab.startOurs(b, conf('lb_b', 100, b.ifname), ['--web', `${b.ipv4}:${PORT}`]);
    daemons.push(B);
    await B.proc.waitFor(/\(VI_1\) Entering BACKUP STATE/, 90_000);
    expect(A.log()).toContain(`Web view on http://${a.ipv4}:${PORT}/`);

    browser = await launchChromium(lab.observer.ns);
    const pa = await browser.page();
    const pb = await browser.page();
    await openView(pa, `http://${a.ipv4}:${PORT}/`);
    await openView(pb, `http://${b.ipv4}:${PORT}/`);

    const actorsA = await expectEveryMachineDrawn(pa);
    const actorsB = await expectEveryMachineDrawn(pb);
    for (const m of ['vrrpInstance', 'syncGroup']) {
      expect(actorsA.some((x) => x.machine === m), `lb_a runs a ${m}`).toBe(true);
      expect(actorsB.some((x) => x.machine === m), `lb_b runs a ${m}`).toBe(true);
    }
    const vi1 = actorsB.find((x) => x.machine === 'vrrpInstance' && x.actor.includes('VI_1'));
    expect(vi1, 'lb_b has a VI_1 actor').toBeDefined();
    const vi1a = actorsA.find((x) => x.machine === 'vrrpInstance' && x.actor.includes('VI_1'))!;
    await waitActive(pa, 'lb_a', vi1a.actor, 'master', 10_000);
    await waitActive(pb, 'lb_b', vi1!.actor, 'backup', 10_000);
    await screenshot(pb, 'daemon-backup.png');

    // kill -9 removes nothing (a's VIP stays until a restart sweeps it); b takes over.
    const from = B.log().length;
    A.kill9();
    await B.proc.waitFor(/\(VI_1\) Entering MASTER STATE/, 15_000);
    expect(B.log(from)).toContain('(VI_1) Entering MASTER STATE');
    expect(await lab.vipHolders(VIP)).toContain('b');
    // The page follows the live stream: no reload.
    await waitActive(pb, 'lb_b', vi1!.actor, 'master', 15_000);
    const after = await cards(pb);
    const card = after.find((c) => c.host === 'lb_b' && c.actor === vi1!.actor)!;
    expect(card.active).not.toContain('backup');
    expect(await pb.locator('#instances tr[data-instance="VI_1"] .vrrp').first().textContent()).toBe('MASTER');
    await screenshot(pb, 'daemon-after-failover.png');
    await screenshot(pb, 'daemon-after-failover-window.png', false);

    B.signal('SIGTERM');
    await B.proc.waitFor(/Stopped Keepalived-ts/, 20_000);
  }, 420_000);
});

describe.skipIf(!haveChromium)(`sim --web in a browser${haveChromium ? '' : ` (skipped: ${noChromium})`}`, () => {
  let sim: ChildProcess | undefined;
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    if (sim && sim.exitCode === null) sim.kill('SIGKILL');
  });

  it('serves the run; the time slider moves the highlight from backup to master', async () => {
    sim = spawn(process.execPath, ['--import', 'tsx', CLI, 'sim', 'examples/kill-restart.yaml', '--web', '127.0.0.1:0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    sim.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    sim.stdout!.resume();
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no web view URL within 120 s; stderr: ${err}`)), 120_000);
      sim!.stderr!.on('data', () => {
        const m = /web view: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      sim!.on('exit', (code) => reject(new Error(`sim exited (${code}) before serving; stderr: ${err}`)));
    });

    browser = await launchChromium();
    const page = await browser.page();
    await openView(page, url);
    const actors = await expectEveryMachineDrawn(page);
    const vi1 = actors.find((x) => x.host === 'lb2' && x.machine === 'vrrpInstance' && x.actor.includes('VI_1'));
    expect(vi1, 'lb2 has a VI_1 actor').toBeDefined();

    // lb1 is killed at 10 s: before it lb2 is backup, after Master_Down_Interval it is master.
    const slide = (t: number) => page.locator('#time').evaluate((el: HTMLInputElement, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input'));
    }, t);
    await slide(5);
    await waitActive(page, 'lb2', vi1!.actor, 'backup', 10_000);
    await screenshot(page, 'sim-t5.png');
    await slide(16);
    await waitActive(page, 'lb2', vi1!.actor, 'master', 10_000);
    const lb1 = (await cards(page)).filter((c) => c.host === 'lb1');
    expect(lb1.length).toBeGreaterThan(0);
    expect(lb1.every((c) => c.gone), 'lb1 is down at 16 s: its cards are greyed').toBe(true);
    await screenshot(page, 'sim-t16.png');

    sim.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => (sim!.exitCode !== null ? r(sim!.exitCode) : sim!.on('exit', r)));
    expect(code).toBe(0);
  }, 420_000);
});
