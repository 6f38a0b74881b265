/**
 * The production RuntimeFactory: the kernel adapters (createNodePorts) and the composition root
 * (createRuntime). The daemon logger is the runtime's Logger port, so every line the runtime
 * writes gets keepalived's idents, console format and syslog facility.
 */
import { createRuntime } from '../../../actors/runtime.js';
import { createNodePorts } from '../ports.js';
import type { RuntimeFactory } from './role-host.js';

export const productionFactory: RuntimeFactory = {
  createPorts: (_role, logger, opts) => createNodePorts({ logger, ...(opts.netns !== undefined ? { netns: opts.netns } : {}) }),
  createRuntime,
};
