/**
 * Reading scenario YAML with positions: every value is fetched by path, and every complaint
 * names the file and line of the offending node ("split.yaml:12: hosts.lb1.nics: …").
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { parseDurationMs } from '../time.js';

export type Path = ReadonlyArray<string | number>;

export class ScenarioInput {
  readonly errors: string[] = [];
  private readonly doc: Document;
  private readonly lines = new LineCounter();

  constructor(
    readonly file: string,
    text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false });
    for (const e of this.doc.errors) this.errors.push(`${file}:${this.lines.linePos(e.pos[0]).line}: YAML: ${e.message.split('\n')[0]}`);
  }

  private node(path: Path): Node | undefined {
    return (path.length === 0 ? this.doc.contents : this.doc.getIn(path, true)) as Node | undefined;
  }

  lineOf(path: Path): number {
    for (let p = path; ; p = p.slice(0, -1)) {
      const n = this.node(p);
      if (n?.range) return this.lines.linePos(n.range[0]).line;
      if (p.length === 0) return 1;
    }
  }

  error(path: Path, message: string): void {
    this.errors.push(`${this.file}:${this.lineOf(path)}: ${path.join('.') || '(top)'}: ${message}`);
  }

  /** The plain JS value at `path` (undefined when absent). */
  get(path: Path): unknown {
    const n = this.node(path);
    if (n === undefined || n === null) return undefined;
    return isScalar(n) ? n.value : (n as { toJSON(): unknown }).toJSON();
  }

  has(path: Path): boolean {
    return this.node(path) !== undefined;
  }

  keys(path: Path): string[] {
    const n = this.node(path);
    if (isMap(n)) return n.items.map((i) => String(isScalar(i.key) ? i.key.value : i.key));
    return [];
  }

  length(path: Path): number {
    const n = this.node(path);
    return isSeq(n) ? n.items.length : 0;
  }

  isMap(path: Path): boolean {
    return isMap(this.node(path));
  }

  isList(path: Path): boolean {
    return isSeq(this.node(path));
  }

  string(path: Path, fallback?: string): string | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    this.error(path, `expected text, got ${JSON.stringify(v)}`);
    return fallback;
  }

  number(path: Path, fallback?: number): number | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) return fallback;
    const n = typeof v === 'string' ? Number(v.replace(/%$/, '')) : v;
    if (typeof n === 'number' && Number.isFinite(n)) return n;
    this.error(path, `expected a number, got ${JSON.stringify(v)}`);
    return fallback;
  }

  durationMs(path: Path, fallback?: number): number | undefined {
    const v = this.get(path);
    if (v === undefined || v === null) return fallback;
    const d = parseDurationMs(v);
    if (typeof d === 'number') return d;
    this.error(path, d.error);
    return fallback;
  }

  /** Warn about keys a block does not know (typos should not pass silently). */
  onlyKeys(path: Path, allowed: readonly string[]): void {
    for (const k of this.keys(path)) if (!allowed.includes(k)) this.error([...path, k], `unknown key (expected one of: ${allowed.join(', ')})`);
  }
}
