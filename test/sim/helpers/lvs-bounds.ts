/** The C1/C2 bounds of a config's first checker, for tests that quote them. */
import type { KeepalivedConfig } from '../../../config/model.js';
import { recoveryBoundMs, removalBoundMs } from '../../../sim/lvs/bounds.js';

export function bounds(model: KeepalivedConfig): { removal: number | undefined; recovery: number | undefined } {
  const c = model.virtualServers[0]!.realServers[0]!.checkers[0]!;
  return { removal: removalBoundMs(c), recovery: recoveryBoundMs(c) };
}
