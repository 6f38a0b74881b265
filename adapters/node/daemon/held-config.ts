/**
 * What the parent keeps of the running configuration between reloads.
 *
 * The parent compiles keepalived.conf (start-up and SIGHUP) but runs none of it: the children
 * do. It needs the compiled model again only to start a child (the first start, a respawn after
 * a crash, a section added by a reload) and for the rare SIGUSR1 parent dump. So it keeps the
 * model as the bytes it sends to the children (V8's serializer, the format of the IPC channel's
 * 'advanced' serialization), plus the little it reads itself: global_defs and which sections
 * exist. At 1,000 VRRP instances the model is about 2.7 MiB of V8 heap and its bytes about
 * 1 MiB, outside the heap (docs/benchmarks.md, "Memory: the parent").
 *
 * The children get exactly the model the parent compiled: a child's runtime cannot tell the
 * bytes from the object (a structured clone either way).
 */
import { deserialize, serialize } from 'node:v8';
import type { GlobalDefs, KeepalivedConfig } from '../../../config/index.js';
import { sectionsOf, type Sections } from './roles.js';

/** A compiled model in the form the IPC messages carry it (start, reload). */
export type ModelBytes = Uint8Array;

export function packModel(model: KeepalivedConfig): ModelBytes {
  return serialize(model);
}

/** Throws on bytes that are not a packed model (never from our parent). */
export function unpackModel(bytes: ModelBytes): KeepalivedConfig {
  const model = deserialize(bytes) as KeepalivedConfig;
  if (typeof model !== 'object' || model === null || !Array.isArray(model.vrrpInstances) || typeof model.globalDefs !== 'object') {
    throw new Error('the configuration from the parent is not a compiled model');
  }
  return model;
}

export interface HeldConfig {
  readonly bytes: ModelBytes;
  readonly globalDefs: GlobalDefs;
  readonly sections: Sections;
}

export function holdConfig(model: KeepalivedConfig): HeldConfig {
  return { bytes: packModel(model), globalDefs: model.globalDefs, sections: sectionsOf(model) };
}
