/** Collects diagnostics with a position; one-line messages, optional one-line fix. */
import type { Diagnostic, DiagnosticKind, Severity } from './model.js';

export interface Pos {
  file: string;
  line: number;
  col?: number;
}

/** Beyond this many diagnostics only the exit-code class is still tracked (a broken file can produce millions). */
export const MAX_DIAGNOSTICS = 1000;
/** Past MAX_DIAGNOSTICS, at most this many more get through (the first of each kind, and `always` ones). */
export const MAX_DIAGNOSTICS_OVER = 16;
/** Messages and fixes are cut to this many characters (a message quoting a 64 KB word stays short). */
export const MAX_MESSAGE_LENGTH = 500;

const cut = (s: string) => (s.length > MAX_MESSAGE_LENGTH ? `${s.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : s);

export class Diags {
  readonly list: Diagnostic[] = [];
  private dropped = 0;
  private readonly kinds = new Set<DiagnosticKind>();

  /** True once MAX_DIAGNOSTICS are recorded: callers may skip costly message building. */
  get full(): boolean {
    return this.list.length >= MAX_DIAGNOSTICS;
  }

  add(severity: Severity, at: Pos, message: string, fix?: string, kind?: DiagnosticKind, always = false): void {
    const k = kind ?? 'config';
    // Past the limit, keep only the first diagnostic of each kind (so the exit code stays right),
    // and those that must be seen (`always`: why reading stopped), up to a hard cap.
    if (this.list.length >= MAX_DIAGNOSTICS && ((!always && this.kinds.has(k)) || this.list.length >= MAX_DIAGNOSTICS + MAX_DIAGNOSTICS_OVER)) {
      this.dropped++;
      return;
    }
    this.kinds.add(k);
    const d: Diagnostic = { file: at.file, line: at.line, column: at.col ?? 1, severity, message: cut(message) };
    if (fix) d.fix = cut(fix);
    if (kind && kind !== 'config') d.kind = kind;
    this.list.push(d);
  }
  error(at: Pos, message: string, fix?: string, kind?: DiagnosticKind): void {
    this.add('error', at, message, fix, kind);
  }
  warn(at: Pos, message: string, fix?: string, kind?: DiagnosticKind): void {
    this.add('warning', at, message, fix, kind);
  }
  /** Adds a note about diagnostics left out (call once, at the end). */
  finish(): void {
    if (this.dropped) {
      const last = this.list[this.list.length - 1]!;
      this.list.push({ file: last.file, line: last.line, column: 1, severity: 'info', message: `${this.dropped} more diagnostics not shown`, kind: 'lint' });
      this.dropped = 0;
    }
  }
  /** Something only keepalived-ts reports (keepalived is silent): never changes the exit code. */
  lint(severity: Severity, at: Pos, message: string, fix?: string): void {
    this.add(severity, at, message, fix, 'lint');
  }
}

/**
 * `file:line:col: severity: message (fix: …)` — the format `check` prints. A diagnostic about a
 * whole file (line 0: the file cannot be read) prints as `file: severity: message`.
 */
export function formatDiagnostic(d: Diagnostic): string {
  const fix = d.fix ? ` (fix: ${d.fix})` : '';
  const where = d.line >= 1 ? `${d.file}:${d.line}:${d.column}` : d.file;
  return `${where}: ${d.severity}: ${d.message}${fix}`;
}
