/** Tiny POSIX path helpers (config/ is pure and may not import node:path). */

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return p.slice(0, i);
}

export function normalize(p: string): string {
  const abs = p.startsWith('/');
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!abs) out.push('..');
      continue;
    }
    out.push(seg);
  }
  const body = out.join('/');
  return abs ? `/${body}` : body || '.';
}

/** `rel` resolved against directory `base` (absolute `rel` wins). */
export function resolveFrom(base: string, rel: string): string {
  return normalize(rel.startsWith('/') ? rel : `${base}/${rel}`);
}
