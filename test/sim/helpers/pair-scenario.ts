/**
 * A two-node scenario for simulator tests: lb1 (priority 150) and lb2 (100) on one segment,
 * VRID 51 with VIP 198.51.100.100, advert 1 s, 15 s long; the caller adds top-level lines,
 * per-host lines and the timeline. Loaded the way the CLI loads a file (includes, diagnostics).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile } from '../../../sim/tools/scenario-file.js';

function node(name: string, priority: number, extra: string): string {
  return `  ${name}:
${extra}    nics: { eth0: { segment: lan, address: 198.51.100.${priority === 150 ? 11 : 12}/24 } }
    config: |
      vrrp_instance VI_1 {
          state BACKUP
          interface eth0
          virtual_router_id 51
          priority ${priority}
          advert_int 1
          virtual_ipaddress {
              198.51.100.100/24 dev eth0
          }
      }
`;
}

export interface PairScenario {
  name: string;
  /** Top-level lines (`latency: measured\n`), before `segments:`. */
  top?: string;
  /** Lines inside each host's block, before `nics:` (four spaces of indent). */
  lb1?: string;
  lb2?: string;
  /** The timeline's entries (`  - at: 10s\n    stop: lb1\n`). */
  timeline: string;
}

export function loadPairScenario(s: PairScenario): ReturnType<typeof loadScenarioFile> {
  const dir = mkdtempSync(join(tmpdir(), `kts-${s.name}-`));
  try {
    const path = join(dir, 's.yaml');
    const hosts = `${node('lb1', 150, s.lb1 ?? '')}${node('lb2', 100, s.lb2 ?? '')}`;
    writeFileSync(path, `name: ${s.name}\nseed: 1\nduration: 15s\n${s.top ?? ''}segments:\n  lan: { delay: 0.05ms }\nhosts:\n${hosts}timeline:\n${s.timeline}`);
    return loadScenarioFile(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
