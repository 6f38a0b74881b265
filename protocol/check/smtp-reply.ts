/**
 * SMTP replies (RFC 5321 §4.2) for SMTP_CHECK: a reply is one line `NNN text` or several lines
 * `NNN-text` ending with `NNN text` (or a bare `NNN`). keepalived 2.2.7 reads only the first line
 * and so fails multi-line greetings (`220-…`); we read the whole reply (see docs/lvs.md).
 */

export interface SmtpReply {
  code: number;
  lines: string[];
}

/** Longest line accepted (RFC 5321 §4.5.3.1.5 says 512 octets for reply lines; we allow 4 KiB). */
export const SMTP_MAX_LINE = 4096;

/** Feeds bytes in, takes complete replies out; `error` is set once the input is not SMTP. */
export class SmtpReplyReader {
  private pending = '';
  private lines: string[] = [];
  private code: number | undefined;
  error: string | undefined;

  push(chunk: string): SmtpReply[] {
    const out: SmtpReply[] = [];
    this.pending += chunk;
    for (;;) {
      const nl = this.pending.indexOf('\n');
      if (nl < 0) break;
      const line = this.pending.slice(0, nl).replace(/\r$/, '');
      this.pending = this.pending.slice(nl + 1);
      const reply = this.line(line);
      if (this.error) return out;
      if (reply) out.push(reply);
    }
    if (this.pending.length > SMTP_MAX_LINE) this.error = `reply line longer than ${SMTP_MAX_LINE} bytes`;
    return out;
  }

  private line(line: string): SmtpReply | undefined {
    const m = /^(\d{3})([ -]|$)/.exec(line);
    if (!m) {
      this.error = `not an SMTP reply: ${JSON.stringify(line.slice(0, 80))}`;
      return undefined;
    }
    const code = Number(m[1]);
    if (this.code !== undefined && code !== this.code) {
      this.error = `reply code changed from ${this.code} to ${code} inside a multi-line reply`;
      return undefined;
    }
    this.lines.push(line);
    if (m[2] === '-') {
      this.code = code;
      return undefined;
    }
    const reply = { code, lines: this.lines };
    this.lines = [];
    this.code = undefined;
    return reply;
  }
}
