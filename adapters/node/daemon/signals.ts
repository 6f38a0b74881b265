/**
 * keepalived's signal functions (`keepalived --signum=SIGFUNC`) and their handlers.
 *
 * Numbers are the ones Debian's keepalived 2.2.7 prints on Linux: STOP 15 (SIGTERM), RELOAD 1
 * (SIGHUP), DATA 10 (SIGUSR1), STATS 12 (SIGUSR2), STATS_CLEAR 63 (SIGRTMAX-1), JSON 36
 * (SIGRTMIN+2). SIGINT also means STOP.
 *
 * Node's `process.on()` only knows named signals, so the two real-time signals are caught
 * through the runtime's signal handle (`process.binding('signal_wrap')`, the same handle
 * `process.on` uses inside). If that handle is ever unavailable, those two signals are
 * reported as unavailable instead of killing the daemon when they arrive.
 */

export type SignalFunction = 'STOP' | 'RELOAD' | 'DATA' | 'STATS' | 'STATS_CLEAR' | 'JSON';

export const SIGNAL_NUMBERS: Readonly<Record<SignalFunction, number>> = {
  STOP: 15,
  RELOAD: 1,
  DATA: 10,
  STATS: 12,
  STATS_CLEAR: 63,
  JSON: 36,
};

/** The answer to `--signum=NAME`, or undefined for an unknown name (keepalived: "Unknown sigfunc"). */
export function signumOf(name: string): number | undefined {
  const key = name.toUpperCase();
  return Object.hasOwn(SIGNAL_NUMBERS, key) ? SIGNAL_NUMBERS[key as SignalFunction] : undefined;
}

const NAMED: Array<[NodeJS.Signals, SignalFunction]> = [
  ['SIGTERM', 'STOP'],
  ['SIGINT', 'STOP'],
  ['SIGHUP', 'RELOAD'],
  ['SIGUSR1', 'DATA'],
  ['SIGUSR2', 'STATS'],
];

const REALTIME: Array<[number, SignalFunction]> = [
  [SIGNAL_NUMBERS.STATS_CLEAR, 'STATS_CLEAR'],
  [SIGNAL_NUMBERS.JSON, 'JSON'],
];

interface SignalHandle {
  onsignal: ((signum: number) => void) | undefined;
  start(signum: number): number;
  close(): void;
  unref(): void;
}

type SignalWrapBinding = { Signal: new () => SignalHandle };

function loadSignalWrap(): SignalWrapBinding | undefined {
  const proc = process as unknown as { binding?: (name: string) => unknown; noDeprecation?: boolean };
  if (typeof proc.binding !== 'function') return undefined;
  const before = proc.noDeprecation;
  proc.noDeprecation = true; // process.binding() warns once; this use is deliberate.
  try {
    const b = proc.binding('signal_wrap') as Partial<SignalWrapBinding> | undefined;
    return typeof b?.Signal === 'function' ? (b as SignalWrapBinding) : undefined;
  } catch {
    return undefined;
  } finally {
    proc.noDeprecation = before;
  }
}

let early: { seen: Array<[SignalFunction, string]>; uninstall: () => void } | undefined;

/**
 * Hold the named signals from the first moment the daemon module is loaded, so a HUP or TERM
 * sent while Node is still loading the rest of the program is kept (and handled once
 * installSignalHandlers runs) instead of killing the process with the default action.
 */
export function bufferEarlySignals(): void {
  if (early) return;
  const seen: Array<[SignalFunction, string]> = [];
  const removers = NAMED.map(([sig, fn]) => {
    const listener = (): void => void seen.push([fn, sig]);
    process.on(sig, listener);
    return () => void process.off(sig, listener);
  });
  early = { seen, uninstall: () => removers.forEach((r) => r()) };
}

/**
 * Route every keepalived signal to `handler(fn, signalName)`. Returns an uninstall function and
 * the functions that could not be hooked (so the caller can log them once).
 */
export function installSignalHandlers(handler: (fn: SignalFunction, signal: string) => void): {
  uninstall: () => void;
  unavailable: SignalFunction[];
} {
  const removers: Array<() => void> = [];
  for (const [sig, fn] of NAMED) {
    const listener = (): void => handler(fn, sig);
    process.on(sig, listener);
    removers.push(() => void process.off(sig, listener));
  }
  const unavailable: SignalFunction[] = [];
  const wrap = loadSignalWrap();
  for (const [num, fn] of REALTIME) {
    if (!wrap) {
      unavailable.push(fn);
      continue;
    }
    const h = new wrap.Signal();
    h.onsignal = () => handler(fn, `signal ${num}`);
    if (h.start(num) !== 0) {
      h.close();
      unavailable.push(fn);
      continue;
    }
    h.unref();
    removers.push(() => h.close());
  }
  if (early) {
    const { seen, uninstall } = early;
    early = undefined;
    uninstall();
    for (const [fn, sig] of seen) handler(fn, sig);
  }
  return { uninstall: () => removers.forEach((r) => r()), unavailable };
}
