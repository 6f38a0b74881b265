/**
 * Headless Chromium for the web view's browser tests: Debian's /usr/bin/chromium driven by
 * playwright-core, optionally inside a network namespace (a wrapper runs it under
 * `ip netns exec`; playwright talks to it over a pipe, so no port is needed). Screenshots go to
 * test-artifacts/web/ (kept after the run; CI collects the folder).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
export const ARTIFACTS = new URL('../../test-artifacts/web/', import.meta.url).pathname;

export interface Browser {
  page(): Promise<Page>;
  close(): Promise<void>;
}

/** Launch Chromium (in namespace `ns` when given); close() removes its profile. */
export async function launchChromium(ns?: string): Promise<Browser> {
  const dir = mkdtempSync(join(tmpdir(), 'kts-chromium-'));
  let exe = CHROMIUM;
  if (ns) {
    exe = join(dir, 'chromium-in-netns');
    writeFileSync(exe, `#!/bin/sh\nexec ip netns exec '${ns}' ${CHROMIUM} "$@"\n`);
    chmodSync(exe, 0o755);
  }
  let ctx: BrowserContext;
  try {
    ctx = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: exe,
      headless: true,
      viewport: { width: 1600, height: 1000 },
      timeout: 60_000,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    page: async () => {
      const p = await ctx.newPage();
      p.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
      return p;
    },
    close: async () => {
      await ctx.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface CardState {
  host: string;
  actor: string;
  machine: string;
  gone: boolean;
  /** data-active: every active state path. */
  active: string[];
  /** Number of highlighted nodes in the card's diagram. */
  lit: number;
  /** The card has a drawn SVG. */
  drawn: boolean;
}

/** Open the page and wait (bounded) until every diagram is drawn. */
export async function openView(page: Page, url: string, timeoutMs = 120_000): Promise<void> {
  await page.goto(url, { timeout: timeoutMs });
  await page.waitForFunction(() => document.body.dataset.ready === '1' && document.querySelectorAll('.card').length > 0, null, { timeout: timeoutMs });
}

export function cards(page: Page): Promise<CardState[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('.card')].map((c) => ({
      host: c.dataset.host ?? '',
      actor: c.dataset.actor ?? '',
      machine: c.dataset.machine ?? '',
      gone: c.dataset.gone === 'true',
      active: (c.dataset.active ?? '').split(' ').filter(Boolean),
      lit: c.querySelectorAll('.kts-active').length,
      drawn: c.querySelector('svg') !== null,
    })),
  );
}

/** Wait (bounded) until the card of `actor` on `host` has `state` active; returns it. */
export async function waitActive(page: Page, host: string, actor: string, state: string, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    ([h, a, s]) => {
      const c = [...document.querySelectorAll<HTMLElement>('.card')].find((x) => x.dataset.host === h && x.dataset.actor === a);
      return c !== undefined && (c.dataset.active ?? '').split(' ').includes(s) && c.querySelector('.kts-active') !== null;
    },
    [host, actor, state] as const,
    { timeout: timeoutMs },
  );
}

/** A screenshot in test-artifacts/web/: the whole page, or only what the window shows. */
export async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path, fullPage });
  return path;
}
