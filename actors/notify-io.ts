/**
 * The notifier's jobs over the ports: notify scripts (ports.scripts), notify FIFO lines
 * (ports.files.writeLine, one line each) and SMTP alerts (ports.mailer). One job at a time; the
 * notifier machine owns order and timeouts, stopping this actor cancels a script still running.
 * The notifier passes its `env` (actors/io-env.ts) on to each job.
 */
import { fromCallback, type EventObject } from 'xstate';
import { notifierMachine, type RunJobInput } from '../machines/notify/notifier.machine.js';
import { ioEnv } from './io-env.js';
import { scriptSpec } from './script-spec.js';

const PORT_TIMEOUT_MARGIN_MS = 1000;

export const runJobActor = fromCallback<EventObject, RunJobInput>(({ input: job, sendBack }) => {
  const env = ioEnv(job, `notify ${job.target}`);
  const ports = env.ports;
  let live = true;
  const done = (ok: boolean, detail?: string) => {
    if (!live) return;
    live = false;
    sendBack({ type: 'notify.jobDone', seq: job.seq, ok, ...(detail !== undefined ? { detail } : {}) });
  };
  let cancel = () => {};
  if (job.kind === 'script') {
    const h = ports.scripts.run(
      scriptSpec(env.scriptPolicy(), { argv: job.argv, timeoutMs: job.timeoutMs + PORT_TIMEOUT_MARGIN_MS, user: job.user, group: job.group }),
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

/** Provided once per process; each job gets its runtime's ports in its input (`env`, actors/io-env.ts). */
export const notifierLogic = notifierMachine.provide({ actors: { runJob: runJobActor } });
