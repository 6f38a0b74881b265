/**
 * Node options to hand to re-executed and forked copies of ourselves. `process.execArgv` may
 * name loaders relative to the start directory (`node --import tsx …`, `--require ./x.cjs`);
 * the daemon leaves that directory (chdir "/"), so such names are made absolute first.
 */
import { createRequire } from 'node:module';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const LOADER_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

function absoluteSpecifier(flag: string, spec: string, cwd: string): string {
  if (spec.startsWith('file:') || spec.startsWith('data:') || spec.startsWith('node:')) return spec;
  const esm = flag !== '--require' && flag !== '-r';
  if (spec.startsWith('.') || isAbsolute(spec)) {
    const path = resolve(cwd, spec);
    return esm ? pathToFileURL(path).href : path;
  }
  try {
    // A package name: resolve it the way the start directory would have.
    const req = createRequire(pathToFileURL(resolve(cwd, 'noop.js')).href);
    const path = req.resolve(spec);
    if (!esm) return path;
    try {
      return import.meta.resolve(spec);
    } catch {
      return pathToFileURL(path).href;
    }
  } catch {
    return spec;
  }
}

export function portableExecArgv(execArgv: readonly string[], cwd: string = process.cwd()): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const a = execArgv[i]!;
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (!LOADER_FLAGS.has(flag)) {
      out.push(a);
      continue;
    }
    if (eq > 0) {
      out.push(`${flag}=${absoluteSpecifier(flag, a.slice(eq + 1), cwd)}`);
    } else if (i + 1 < execArgv.length) {
      out.push(flag, absoluteSpecifier(flag, execArgv[++i]!, cwd));
    } else {
      out.push(a);
    }
  }
  return out;
}
