// Worker bootstrap for running from TypeScript sources (tsx): worker threads do not inherit
// tsx's loader, so register it here, then hand the pool the TypeScript worker's default export.
// From dist/ the pool loads the compiled worker directly and never uses this file.
import { workerData } from 'piscina';
import { register } from 'tsx/esm/api';

register();
const mod = await import(workerData.module);
export default mod.default;
