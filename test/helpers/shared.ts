/**
 * Where the team's shared material (../shared beside the checkout) lives: keepalived's sample
 * configs, the captures from keepalived 2.2.7, the research notes. Tests read it in place and
 * never copy it into the repo. KTS_SHARED_DIR overrides the location.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function locate(): string {
  const candidates = [process.env.KTS_SHARED_DIR, resolve(repoRoot, '../shared'), '/work/shared'];
  for (const c of candidates) if (c && existsSync(c)) return c;
  return resolve(repoRoot, '../shared');
}

export const SHARED_DIR = locate();
