/**
 * The Mailer port through nodemailer: one SMTP session per alert, as keepalived does, plain SMTP
 * (keepalived speaks neither STARTTLS nor AUTH), HELO/EHLO with smtp_helo_name (default: the host
 * name), smtp_connect_timeout bounding the connection, the greeting and every later reply.
 */
import { hostname } from 'node:os';
import nodemailer from 'nodemailer';
import type { Mailer } from '../../actors/ports.js';

export interface NodeMailerOptions {
  /** HELO name when the server spec has none (default: os.hostname()). */
  defaultHelo?: string;
}

export function createNodeMailer(opts: NodeMailerOptions = {}): Mailer {
  return {
    send(server, message, done) {
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
    },
  };
}
