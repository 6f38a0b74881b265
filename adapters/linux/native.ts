/**
 * Loader and typed view of our N-API addon (native/netio.c, built by binding.gyp into
 * build/Release/netio.node during `npm ci`). Only adapters/linux uses it.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Opaque readiness watcher returned by `watch`. */
export type WatchHandle = { readonly __watch: unique symbol };

export interface NetIo {
  /** socket(2); always SOCK_NONBLOCK | SOCK_CLOEXEC. Throws an Error with `.code` (errno name). */
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer | number): void;
  bind(fd: number, sockaddr: Buffer): void;
  /** sendmsg(2) with MSG_DONTWAIT; returns bytes sent. */
  sendmsg(fd: number, data: Uint8Array, sockaddr: Buffer | null, control: Buffer | null): number;
  /** recvmsg(2); `null` when nothing is queued, else [bytes, nameLength, controlLength, flags]. */
  recvmsg(fd: number, data: Buffer, name: Buffer, control: Buffer): [number, number, number, number] | null;
  /** poll(2) for one fd; blocks up to timeoutMs. Only for synchronous netlink dumps. */
  waitReadable(fd: number, timeoutMs: number): boolean;
  /** Calls `onReadable(status)` from the event loop each time fd becomes readable. */
  watch(fd: number, onReadable: (status: number) => void): WatchHandle;
  /** Stops a watcher. Call before close(fd). Idempotent. */
  unwatch(handle: WatchHandle): void;
  /** The watcher no longer keeps the process alive. */
  unref(handle: WatchHandle): void;
  close(fd: number): void;
  /** setns(2) for the calling (main) thread. */
  setns(fd: number, nstype: number): void;
  /** mkfifo(3). */
  mkfifo(path: string, mode: number): void;
}

/** An Error thrown by the addon. */
export interface NetIoError extends Error {
  code: string;
  errno: number;
}

let loaded: NetIo | undefined;

function addonCandidates(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  // adapters/linux/ from source, dist/adapters/linux/ when compiled.
  return [join(here, '../../build/Release/netio.node'), join(here, '../../../build/Release/netio.node')];
}

/** The addon, loaded on first use. Throws a clear error when it was not built. */
export function netio(): NetIo {
  if (loaded) return loaded;
  const path = addonCandidates().find((p) => existsSync(p));
  if (!path) {
    throw new Error(
      'native addon build/Release/netio.node is missing: run `npm run build:native` (needs g++, python3 and Node headers; npm_config_nodedir=/usr)',
    );
  }
  loaded = createRequire(import.meta.url)(path) as NetIo;
  return loaded;
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function errorCode(e: unknown): string | undefined {
  return e instanceof Error && typeof (e as Partial<NetIoError>).code === 'string' ? (e as NetIoError).code : undefined;
}
