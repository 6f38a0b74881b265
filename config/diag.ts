/** Collects diagnostics with a position; one-line messages, optional one-line fix. */
import type { Diagnostic, DiagnosticKind, Severity } from './model.js';

export interface Pos {
  file: string;
  line: number;
  col?: number;
}

export class Diags {
  readonly list: Diagnostic[] = [];

  add(severity: Severity, at: Pos, message: string, fix?: string, kind?: DiagnosticKind): void {
    const d: Diagnostic = { file: at.file, line: at.line, column: at.col ?? 1, severity, message };
    if (fix) d.fix = fix;
    if (kind && kind !== 'config') d.kind = kind;
    this.list.push(d);
  }
  error(at: Pos, message: string, fix?: string, kind?: DiagnosticKind): void {
    this.add('error', at, message, fix, kind);
  }
  warn(at: Pos, message: string, fix?: string, kind?: DiagnosticKind): void {
    this.add('warning', at, message, fix, kind);
  }
  /** Something only keepalived-ts reports (keepalived is silent): never changes the exit code. */
  lint(severity: Severity, at: Pos, message: string, fix?: string): void {
    this.add(severity, at, message, fix, 'lint');
  }
}

/** `file:line:col: severity: message (fix: …)` — the format `check` prints. */
export function formatDiagnostic(d: Diagnostic): string {
  const fix = d.fix ? ` (fix: ${d.fix})` : '';
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}${fix}`;
}
