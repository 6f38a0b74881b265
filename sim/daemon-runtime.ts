/**
 * The daemon's composition root, as the simulator runs it on every simulated host: the very
 * `createRuntime` that adapters/node hands real ports to, here handed simulated ones.
 */
import { createRuntime } from '../actors/runtime.js';
import type { CreateRuntime } from '../actors/runtime-types.js';
import type { KeepalivedConfig } from '../config/model.js';

export const createDaemonRuntime: CreateRuntime = (ports, model, opts) => createRuntime(ports, model as KeepalivedConfig, opts);
