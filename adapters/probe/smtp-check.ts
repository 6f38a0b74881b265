/**
 * SMTP_CHECK (keepalived check_smtp.c): to connect_ip:connect_port, by default the real server's
 * own address and port (not 25). Greeting 220 → `HELO <helo_name>` → 250 → `QUIT` → any answer
 * (or the server closing) = success. Replies may span several lines (`220-…` then `220 …`);
 * keepalived fails such greetings, we read the whole reply (docs/lvs.md).
 * Failure messages are keepalived's, to be printed as `SMTP_CHECK <message> [ip]:port`.
 */
import type { ProbeRequest } from '../../actors/lvs/prober-port.js';
import { SmtpReplyReader, type SmtpReply } from '../../protocol/check/smtp-reply.js';
import { failure, type Attempt } from './attempt.js';
import { connectFailure, errnoText, LocalError } from './errors.js';
import { connectTcp } from './tcp-socket.js';

export const DEFAULT_HELO_NAME = 'smtpchecker.keepalived.org';

type Stage = 'connect' | 'greeting' | 'helo' | 'quit';

export function probeSmtp(req: ProbeRequest, netns: string | undefined, a: Attempt): void {
  let stage: Stage = 'connect';
  a.onDeadline = () =>
    stage === 'connect'
      ? failure('timeout', 'Connection timeout to server', `no connection within ${req.timeoutMs} ms`)
      : failure('timeout', 'Read timeout from server', `no complete ${stage === 'greeting' ? 'greeting' : stage === 'helo' ? 'HELO reply' : 'QUIT reply'} within ${req.timeoutMs} ms`);

  let sock;
  try {
    sock = connectTcp({ target: req.target, socket: req.checker, netns });
  } catch (e) {
    if (e instanceof LocalError) return a.fail('local-error', e.message);
    throw e;
  }
  const s = sock;
  a.onEnd(() => s.destroy());
  const reader = new SmtpReplyReader();
  const show = (r: SmtpReply) => r.lines.join(' / ').slice(0, 200);

  const send = (line: string): void => {
    s.write(`${line}\r\n`, (e) => {
      if (e) a.fail('connect-error', 'Write failure to server', errnoText(e));
    });
  };
  const onReply = (r: SmtpReply): void => {
    if (stage === 'greeting') {
      if (r.code !== 220) return a.fail('bad-reply', 'Bad greeting banner from server', show(r));
      stage = 'helo';
      send(`HELO ${req.checker.heloName ?? DEFAULT_HELO_NAME}`);
    } else if (stage === 'helo') {
      if (r.code !== 250) return a.fail('bad-reply', 'Bad HELO response from server', show(r));
      stage = 'quit';
      send('QUIT');
    } else {
      a.finish({ ok: true });
    }
  };

  s.once('connect', () => {
    stage = 'greeting';
    s.setEncoding('latin1');
    s.resume();
  });
  s.on('data', (chunk: string) => {
    for (const r of reader.push(chunk)) {
      if (a.ended) return;
      onReply(r);
    }
    if (reader.error && !a.ended) a.fail('bad-reply', stage === 'greeting' ? 'Bad greeting banner from server' : stage === 'helo' ? 'Bad HELO response from server' : 'Read failure from server', reader.error);
  });
  s.on('end', () => {
    if (stage === 'quit') a.finish({ ok: true });
    else a.fail('connect-error', 'Read failure from server', 'connection closed by the server');
  });
  s.on('error', (e) => {
    if (stage !== 'connect') return a.fail('connect-error', 'Read failure from server', errnoText(e));
    const f = connectFailure(e);
    a.fail(f, f === 'local-error' ? `cannot connect: ${errnoText(e)}` : 'Error connecting to server', errnoText(e));
  });
}
