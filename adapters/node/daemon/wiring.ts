/**
 * The production RuntimeFactory: the kernel adapters (createNodePorts) and the composition root
 * (createRuntime). The daemon logger is the runtime's Logger port, so every line the runtime
 * writes gets keepalived's idents, console format and syslog facility.
 *
 * The checker child's ports add what LVS needs: the real Prober (adapters/probe/), the
 * load-balancer table chosen as lvs_backend says (lb-backend.ts) and Math.random for the
 * checkers' warmup draws.
 */
import { createRuntime } from '../../../actors/runtime.js';
import type { Logger } from '../../../actors/ports.js';
import type { KeepalivedConfig } from '../../../config/index.js';
import { createNodePorts, type NodePorts } from '../ports.js';
import type { RuntimeFactory } from './role-host.js';

/** The checker child's ports: the node's, plus prober, table and randomness. */
export async function createCheckerPorts(logger: Logger, opts: { netns?: string; model?: KeepalivedConfig }): Promise<NodePorts> {
  // Loaded here, not at the top: the VRRP child never loads the probes, IPVS or nftables code
  // (about 1.9 MiB of V8 heap; docs/benchmarks.md, "Memory: the parent").
  const [{ createProber }, { chooseLbTable }] = await Promise.all([import('../../probe/prober.js'), import('../lb-backend.js')]);
  const netns = opts.netns !== undefined ? { netns: opts.netns } : {};
  const base = createNodePorts({ logger, ...netns });
  const lbTable = await chooseLbTable({ choice: opts.model?.globalDefs.lvsBackend ?? 'auto', logger, ...netns });
  return {
    ...base,
    prober: createProber({ scripts: base.scripts, ...netns }),
    lbTable,
    random: Math.random,
    close() {
      lbTable.close();
      base.close();
    },
  };
}

export const productionFactory: RuntimeFactory = {
  createPorts: (role, logger, opts) =>
    role === 'checker' ? createCheckerPorts(logger, opts) : createNodePorts({ logger, ...(opts.netns !== undefined ? { netns: opts.netns } : {}) }),
  createRuntime,
};
