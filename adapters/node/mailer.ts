/**
 * The Mailer port through nodemailer: one SMTP session per alert, as keepalived does, plain SMTP
 * (keepalived speaks neither STARTTLS nor AUTH), HELO/EHLO with smtp_helo_name (default: the host
 * name), smtp_connect_timeout bounding the connection, the greeting and every later reply.
 *
 * nodemailer is loaded at the first alert, not with the VRRP child: it is about 3 MiB of heap
 * that most daemons (no smtp_server, or no notification_email) never use.
 */
import { hostname } from 'node:os';
import type { Mailer } from '../../actors/ports.js';

type Nodemailer = typeof import('nodemailer').default;
let loading: Promise<Nodemailer> | undefined;
const loadNodemailer = (): Promise<Nodemailer> => (loading ??= import('nodemailer').then((m) => m.default));

export interface NodeMailerOptions {
  /** HELO name when the server spec has none (default: os.hostname()). */
  defaultHelo?: string;
}

export function createNodeMailer(opts: NodeMailerOptions = {}): Mailer {
  return {
    send(server, message, done) {
      loadNodemailer().then(
        (nodemailer) => {
          // Inside a promise callback: a throw would be an unhandled rejection, so it becomes `done`'s error.
          try {
            const transport = nodemailer.createTransport({
              host: server.host,
              port: server.port,
              secure: false,
              ignoreTLS: true,
              name: server.helo ?? opts.defaultHelo ?? hostname(),
              connectionTimeout: server.connectTimeoutMs,
              greetingTimeout: server.connectTimeoutMs,
              socketTimeout: server.connectTimeoutMs,
              disableFileAccess: true,
              disableUrlAccess: true,
            });
            transport.sendMail(
              {
                from: message.from,
                to: message.to,
                subject: message.subject,
                text: message.text,
                headers: { 'X-Mailer': 'keepalived-ts' },
              },
              (err) => {
                transport.close();
                done(err ? `SMTP ${server.host}:${server.port}: ${err.message}` : undefined);
              },
            );
          } catch (e) {
            done(`SMTP ${server.host}:${server.port}: ${(e as Error).message}`);
          }
        },
        (e: unknown) => done(`SMTP ${server.host}:${server.port}: cannot load nodemailer: ${(e as Error).message}`),
      );
    },
  };
}
