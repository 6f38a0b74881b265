/**
 * Locations relative to this package, valid both under tsx (.ts sources) and after `npm run
 * build` (dist/…/*.js).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A sibling module of `fromUrl`, with the caller's own extension (.ts under tsx, .js when built). */
export function siblingModule(fromUrl: string, relativeNoExt: string): string {
  const from = fileURLToPath(fromUrl);
  const ext = from.endsWith('.ts') ? '.ts' : '.js';
  return join(dirname(from), relativeNoExt + ext);
}

/** The "version" of the nearest package.json above `fromUrl` ('0.0.0' if none is found). */
export function packageVersion(fromUrl: string): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'keepalived-ts' && pkg.version) return pkg.version;
      } catch {
        // keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return '0.0.0';
}
