/**
 * What the programs on a simulated host do when run: exit code, run time, or failure to start.
 * Scenarios set behaviours up front and change them over time (a "script" fault).
 *
 * A run is matched by the whole command line first, then argv[0], then argv[0]'s base name,
 * so `chk_nginx.sh`, `/usr/local/bin/chk_nginx.sh` and `"/usr/local/bin/chk_nginx.sh --fast"`
 * can all be used as keys. Unknown programs exit 0 after `DEFAULT_SCRIPT_MS`.
 */

export interface ScriptBehaviour {
  /** Exit code; null = killed by `signal`. */
  exit: number | null;
  /** How long a run takes (simulated ms). Longer than the caller's timeout = timed out. */
  durationMs: number;
  signal?: string;
  /** The program cannot be started at all (missing, not executable). */
  error?: string;
  /** Its path is writable by a non-root user: refused under enable_script_security. */
  insecure?: boolean;
}

export const DEFAULT_SCRIPT_MS = 2;

export class ScriptTable {
  private readonly byKey = new Map<string, ScriptBehaviour>();
  runs = 0;

  set(command: string, behaviour: Partial<ScriptBehaviour>): void {
    const prev = this.byKey.get(command);
    this.byKey.set(command, {
      exit: behaviour.exit !== undefined ? behaviour.exit : (prev?.exit ?? 0),
      durationMs: behaviour.durationMs ?? prev?.durationMs ?? DEFAULT_SCRIPT_MS,
      ...(behaviour.signal !== undefined ? { signal: behaviour.signal } : {}),
      ...(behaviour.error !== undefined ? { error: behaviour.error } : {}),
      ...((behaviour.insecure ?? prev?.insecure) ? { insecure: true } : {}),
    });
  }

  get(command: string): ScriptBehaviour | undefined {
    return this.byKey.get(command);
  }

  lookup(argv: readonly string[]): ScriptBehaviour {
    const argv0 = argv[0] ?? '';
    return (
      this.byKey.get(argv.join(' ')) ??
      this.byKey.get(argv0) ??
      this.byKey.get(argv0.slice(argv0.lastIndexOf('/') + 1)) ?? { exit: 0, durationMs: DEFAULT_SCRIPT_MS }
    );
  }
}
