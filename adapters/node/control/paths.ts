/** Where the control socket is: `--control PATH`, else beside the parent's pid file (`.pid` → `.sock`). */
import { DEFAULT_PID_PATHS } from '../daemon/pidfiles.js';

export function controlPathFor(pidFile: string | undefined): string {
  const pid = pidFile ?? DEFAULT_PID_PATHS.parent;
  return pid.endsWith('.pid') ? `${pid.slice(0, -4)}.sock` : `${pid}.sock`;
}
