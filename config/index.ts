/**
 * Public API of the keepalived.conf compiler. Pure: files are read through the injected
 * `readFile`, include globs are expanded through the injected `listDir`.
 *
 *   const { model, diagnostics } = compileConfig('/etc/keepalived/keepalived.conf', readFile, { listDir });
 *
 * Neither function throws on bad input: every problem becomes a Diagnostic with file:line:column.
 */
export type * from './model.js';
export type { CompileOptions, CompileResult } from './compile.js';
export { compileConfig, compileText } from './compile.js';
export { defaultGlobalDefs, emptyConfig } from './defaults.js';
export type { HostFacts, ScriptStatus } from './validate.js';
export { configTestExitCode } from './exit-code.js';
export { formatDiagnostic } from './diag.js';
export { lintCluster, type ClusterNode } from './lint-cluster.js';
export { printConfig } from './print.js';
