/**
 * keepalived's `--config-test` exit status from diagnostics (lib/parser.h config_err_t is ordered
 * by severity; the highest class reported wins):
 *   2  keepalived stopped reading (missing parameter; it exits at once),
 *   6  scripts configured without enable_script_security,
 *   5  configuration errors or warnings, keepalived would still run,
 *   4  cannot run (file not found, bad interface, fatal) when nothing of a higher class was reported,
 *   0  fine. 'lint' diagnostics (keepalived-ts only) never change the status.
 */
import type { Diagnostic } from './model.js';

export const EXIT_OK = 0;
export const EXIT_ABORTED = 2;
export const EXIT_CANNOT_RUN = 4;
export const EXIT_ERRORS = 5;
export const EXIT_SCRIPT_SECURITY = 6;

export function configTestExitCode(diagnostics: readonly Diagnostic[]): number {
  let abort = false;
  let security = false;
  let config = false;
  let fatal = false;
  for (const d of diagnostics) {
    const k = d.kind ?? 'config';
    if (k === 'abort') abort = true;
    else if (k === 'security') security = true;
    else if (k === 'config') config = true;
    else if (k === 'fatal') fatal = true;
  }
  if (abort) return EXIT_ABORTED;
  if (security) return EXIT_SCRIPT_SECURITY;
  if (config) return EXIT_ERRORS;
  if (fatal) return EXIT_CANNOT_RUN;
  return EXIT_OK;
}
