/**
 * The SMTP alert settings both subsystems' notifiers use, from global_defs: keepalived sends
 * mail only when smtp_server and at least one notification_email are set; the sender, HELO
 * name and router id fall back to the host name.
 */
import type { KeepalivedConfig } from '../config/model.js';
import type { NotifierConfig } from '../machines/notify/notifier.machine.js';

export function notifyMailSettings(model: KeepalivedConfig, hostname: string): NotifierConfig['mail'] {
  const g = model.globalDefs;
  if (!g.smtpServer || g.notificationEmail.length === 0) return undefined;
  return {
    server: { host: g.smtpServer.host, port: g.smtpServer.port, connectTimeoutMs: g.smtpConnectTimeoutMs, helo: g.smtpHeloName ?? hostname },
    from: g.notificationEmailFrom ?? `keepalived@${hostname}`,
    to: [...g.notificationEmail],
    routerId: g.routerId ?? hostname,
    noEmailFaults: 'no_email_faults' in g.other,
  };
}
