import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { PermanentError, RetryableError } from '../errors.js';

export interface OutgoingMessage {
  digestId: number;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  unsubscribeUrl: string | null;
}

/** The send's outcome is unknown: the server may hold the message. Never resent automatically. */
export class AmbiguousSendError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AmbiguousSendError';
  }
}

export interface Mailer {
  readonly kind: 'smtp' | 'file';
  /** Resolves with the server's (or the file's) acceptance; rejects with RetryableError,
   * PermanentError or AmbiguousSendError. */
  send(message: OutgoingMessage): Promise<{ response: string }>;
  /**
   * For a digest found mid-send after a crash: whether delivery can be settled for certain.
   * SMTP cannot tell (`unknown`); the file outbox can (the atomic rename happened or not).
   */
  settle(digestId: number): 'delivered' | 'not-delivered' | 'unknown';
}

function mailOptions(m: OutgoingMessage) {
  return {
    from: m.from,
    to: m.to,
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    headers: {
      'X-Living-Review-Digest': String(m.digestId),
      // RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL.
      ...(m.unsubscribeUrl
        ? { 'List-Unsubscribe': `<${m.unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' }
        : {}),
    },
  };
}

interface SmtpError {
  message: string;
  responseCode?: number;
  code?: string;
}

/**
 * What a failed SMTP send means. A reply code is definite: 4xx was refused for now, 5xx for good.
 * Without one (connection dropped, timeout) the message can only have been accepted if the DATA
 * command went out; before that, retrying is safe, after it the outcome is unknown.
 */
export function classifySmtpFailure(err: SmtpError, dataSent: boolean): 'retry' | 'permanent' | 'ambiguous' {
  if (err.responseCode && err.responseCode >= 500) return 'permanent';
  if (err.responseCode && err.responseCode >= 400) return 'retry';
  if (err.code === 'EENVELOPE' || err.code === 'EMESSAGE' || err.code === 'EAUTH' || err.code === 'ECONFIG') return 'permanent';
  return dataSent ? 'ambiguous' : 'retry';
}

export interface SmtpOptions {
  /** Milliseconds; nodemailer's defaults (2 min, 30 s, 10 min) follow RFC 5321. */
  connectionTimeout?: number;
  greetingTimeout?: number;
  socketTimeout?: number;
}

/** One unpooled transport per message, so nothing but the outbox ever decides to resend. */
export function smtpMailer(url: string, options: SmtpOptions = {}): Mailer {
  return {
    kind: 'smtp',
    async send(message) {
      let dataSent = false;
      // The transaction log (commands only, never message content) tells whether DATA went out.
      const watch = (entry: { tnx?: string } | undefined, text?: unknown) => {
        if (entry?.tnx === 'client' && String(text).trim().toUpperCase() === 'DATA') dataSent = true;
      };
      const logger = { trace: watch, debug: watch, info: watch, warn: watch, error: watch, fatal: watch };
      const transport = nodemailer.createTransport({ url, transactionLog: true, logger, ...options } as Parameters<typeof nodemailer.createTransport>[0]);
      try {
        const info = await transport.sendMail(mailOptions(message));
        return { response: String(info.response) };
      } catch (thrown) {
        const err = thrown as SmtpError;
        const text = err.message.replace(/\s+/g, ' ').trim();
        switch (classifySmtpFailure(err, dataSent)) {
          case 'permanent':
            throw new PermanentError(text, { cause: thrown });
          case 'retry':
            throw new RetryableError(text, { cause: thrown });
          case 'ambiguous':
            throw new AmbiguousSendError(text, { cause: thrown });
        }
      } finally {
        transport.close();
      }
    },
    settle: () => 'unknown',
  };
}

/** Without SMTP_URL: each message becomes `digest-<id>.eml`, written whole or not at all. */
export function fileMailer(dir: string): Mailer {
  const file = (id: number) => join(dir, `digest-${id}.eml`);
  return {
    kind: 'file',
    async send(message) {
      const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      const info = await transport.sendMail(mailOptions(message));
      const tmp = `${file(message.digestId)}.${process.pid}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(tmp, info.message as Buffer);
        renameSync(tmp, file(message.digestId));
      } catch (err) {
        // Until the rename nothing is in the outbox, so writing again is safe.
        throw new RetryableError(`cannot write ${file(message.digestId)}: ${(err as Error).message}`, { cause: err });
      }
      return { response: `written ${file(message.digestId)}` };
    },
    settle: (id) => (existsSync(file(id)) ? 'delivered' : 'not-delivered'),
  };
}
