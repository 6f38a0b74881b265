/**
 * The ScriptRunner, Files, Mailer and Logger ports of a simulated host: scripted programs with
 * exit codes and run times, an in-memory file system with watchers, a mailbox that records
 * every alert, and a logger that hands lines to the trace.
 */
import type {
  Files,
  Logger,
  LogLevel,
  Mailer,
  MailMessage,
  MailServer,
  ScriptResult,
  ScriptRunner,
  ScriptSpec,
} from '../../actors/ports.js';
import type { DaemonProcess, Host } from '../host/host.js';
import type { PortObserver } from './observer.js';

export class SimScriptRunner implements ScriptRunner {
  constructor(
    private readonly host: Host,
    private readonly proc: DaemonProcess,
    private readonly observer: PortObserver,
  ) {}

  run(spec: ScriptSpec, done: (r: ScriptResult) => void): { cancel(): void } {
    const b = this.host.scripts.lookup(spec.argv);
    this.host.scripts.runs++;
    let result: ScriptResult;
    let afterMs: number;
    if (spec.secure && b.insecure) {
      result = { exitCode: null, timedOut: false, error: `Unsafe permissions found for script '${spec.argv[0] ?? ''}' - disabling.` };
      afterMs = 0;
    } else if (b.error !== undefined) {
      result = { exitCode: null, timedOut: false, error: b.error };
      afterMs = 0;
    } else if (spec.timeoutMs > 0 && b.durationMs > spec.timeoutMs) {
      result = { exitCode: null, signal: 'SIGKILL', timedOut: true };
      afterMs = spec.timeoutMs;
    } else {
      result = { exitCode: b.exit, timedOut: false, ...(b.signal !== undefined ? { signal: b.signal } : {}) };
      afterMs = b.durationMs;
    }
    const timer = this.host.cpu.schedule(
      () => {
        this.observer.onScript(this.host, spec, result);
        done(result);
      },
      afterMs,
      this.proc.life,
    );
    return { cancel: () => this.host.cpu.cancel(timer) };
  }
}

export class SimFiles implements Files {
  constructor(
    private readonly host: Host,
    private readonly proc: DaemonProcess,
    private readonly observer: PortObserver,
  ) {}

  read(path: string, done: (content: string | undefined, error?: string) => void): void {
    const content = this.host.files.get(path);
    this.host.cpu.schedule(() => done(content), 0, this.proc.life);
  }

  writeLine(path: string, line: string, done: (error?: string) => void): void {
    this.host.files.set(path, `${this.host.files.get(path) ?? ''}${line}\n`);
    this.observer.onFileLine(this.host, path, line);
    this.host.cpu.schedule(() => done(), 0, this.proc.life);
  }

  watch(path: string, onChange: () => void): () => void {
    let set = this.proc.fileWatchers.get(path);
    if (!set) this.proc.fileWatchers.set(path, (set = new Set()));
    set.add(onChange);
    return () => set.delete(onChange);
  }
}

export class SimMailer implements Mailer {
  constructor(
    private readonly host: Host,
    private readonly proc: DaemonProcess,
    private readonly observer: PortObserver,
  ) {}

  send(_server: MailServer, message: MailMessage, done: (error?: string) => void): void {
    this.host.mailbox.push(message);
    this.observer.onMail(this.host, message);
    this.host.cpu.schedule(() => done(), 0, this.proc.life);
  }
}

export class SimLogger implements Logger {
  constructor(
    private readonly host: Host,
    private readonly observer: PortObserver,
  ) {}

  log(level: LogLevel, message: string): void {
    this.observer.onLog(this.host, level, message);
  }
}
