/**
 * The notifier's jobs over the ports: notify scripts (ports.scripts), notify FIFO lines
 * (ports.files.writeLine, one line each) and SMTP alerts (ports.mailer). One job at a time; the
 * notifier machine owns order and timeouts, stopping this actor cancels a script still running.
 */
import { fromCallback, type EventObject } from 'xstate';
import { notifierMachine, type NotifyJob } from '../machines/notify/notifier.machine.js';
import { runtimeDeps } from './system-deps.js';
import { scriptSpec } from './script-spec.js';

const PORT_TIMEOUT_MARGIN_MS = 1000;

export const runJobActor = fromCallback<EventObject, NotifyJob>(({ input: job, sendBack, system }) => {
  const ports = runtimeDeps(system).ports;
  let live = true;
  const done = (ok: boolean, detail?: string) => {
    if (!live) return;
    live = false;
    sendBack({ type: 'notify.jobDone', seq: job.seq, ok, ...(detail !== undefined ? { detail } : {}) });
  };
  let cancel = () => {};
  if (job.kind === 'script') {
    const h = ports.scripts.run(
      scriptSpec(runtimeDeps(system).scriptPolicy?.(), { argv: job.argv, timeoutMs: job.timeoutMs + PORT_TIMEOUT_MARGIN_MS, user: job.user, group: job.group }),
      (r) =>
        r.error !== undefined
          ? done(false, r.error)
          : r.exitCode === 0
            ? done(true)
            : done(false, r.exitCode === null ? `killed by ${r.signal ?? 'a signal'}` : `exited with status ${r.exitCode}`),
    );
    cancel = () => h.cancel();
  } else if (job.kind === 'fifo') {
    ports.files.writeLine(job.path, job.line, (error) => (error ? done(false, error) : done(true)));
  } else {
    ports.mailer.send(
      { host: job.server.host, port: job.server.port, connectTimeoutMs: job.server.connectTimeoutMs, ...(job.server.helo ? { helo: job.server.helo } : {}) },
      { from: job.from, to: job.to, subject: job.subject, text: job.text },
      (error) => (error ? done(false, error) : done(true)),
    );
  }
  return () => {
    if (live) cancel();
    live = false;
  };
});

/** Provided once per process; each job uses its own runtime's ports (system-deps.ts). */
export const notifierLogic = notifierMachine.provide({ actors: { runJob: runJobActor } });
