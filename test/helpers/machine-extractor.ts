/**
 * @xstate/machine-extractor (Stately's parser for machines in source code, from xstate-tools) for tests.
 *
 * It is built on XState v4 (peer `xstate@^4`; it requires `xstate/lib/actions` at load time), and
 * this project runs XState v5. npm cannot install a second version of a peer beside its dependent,
 * so package.json installs v4 under the alias `xstate-v4` (and an override lets the extractor's
 * peer range accept our v5), and this loader points the extractor's own `xstate` requires at the
 * alias. Nothing else sees XState v4.
 */
import Module, { createRequire } from 'node:module';

type Resolve = (request: string, parent: { filename?: string } | undefined, ...rest: unknown[]) => string;

let installed = false;
function redirectXstateForExtractor(): void {
  if (installed) return;
  installed = true;
  const mod = Module as unknown as { _resolveFilename: Resolve };
  const original = mod._resolveFilename;
  mod._resolveFilename = function (request, parent, ...rest) {
    const fromExtractor = parent?.filename?.includes('/node_modules/@xstate/machine-extractor/') ?? false;
    const req = fromExtractor && (request === 'xstate' || request.startsWith('xstate/')) ? request.replace(/^xstate/, 'xstate-v4') : request;
    return original.call(this, req, parent, ...rest);
  };
}

export interface ExtractedMachine {
  toConfig(): Record<string, unknown> | undefined;
  getAllMachineImplementations(): {
    actions: Record<string, string>;
    actors: Record<string, string>;
    guards: Record<string, string>;
    delays: Record<string, string>;
  };
}

export interface Extractor {
  extractMachinesFromFile(source: string): { machines: Array<ExtractedMachine | undefined> } | undefined;
}

/** The extractor module, loaded with its XState v4. */
export function loadMachineExtractor(): Extractor {
  redirectXstateForExtractor();
  const require = createRequire(import.meta.url);
  return require('@xstate/machine-extractor') as Extractor;
}

/** The extractor's package version. */
export function machineExtractorVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@xstate/machine-extractor/package.json') as { version: string }).version;
}
