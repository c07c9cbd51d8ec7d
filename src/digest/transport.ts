import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { PermanentError, RetryableError, oneLine } from '../errors.js';

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
  /**
   * Gets ready to send one message: for SMTP, connected, greeted, TLS and AUTH done, so a process
   * that dies meanwhile has sent nothing of it. Rejects with RetryableError or PermanentError.
   */
  open(): Promise<MailSession>;
  /**
   * For a digest found mid-send after a crash: whether delivery can be settled for certain.
   * SMTP cannot tell (`unknown`); the file outbox can (the atomic rename happened or not).
   */
  settle(digestId: number): 'delivered' | 'not-delivered' | 'unknown';
}

export interface MailSession {
  /** Resolves with the server's (or the file's) acceptance; rejects with RetryableError,
   * PermanentError or AmbiguousSendError. */
  send(message: OutgoingMessage): Promise<{ response: string }>;
  close(): void;
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

/** The message as it goes on the wire (or into a file), with its SMTP envelope. */
async function compose(m: OutgoingMessage, newline: 'unix' | 'windows'): Promise<{ raw: Buffer; envelope: { from: string | false; to: string[] } }> {
  const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline });
  const info = await composer.sendMail(mailOptions(m));
  return { raw: info.message as Buffer, envelope: info.envelope as { from: string | false; to: string[] } };
}

const smtpFailure = (thrown: unknown, dataSent: boolean): Error => {
  const text = oneLine(thrown);
  switch (classifySmtpFailure(thrown as SmtpError, dataSent)) {
    case 'permanent':
      return new PermanentError(text, { cause: thrown });
    case 'retry':
      return new RetryableError(text, { cause: thrown });
    case 'ambiguous':
      return new AmbiguousSendError(text, { cause: thrown });
  }
};

/**
 * One connection per message, opened before the outbox row is claimed, so the outcome is unknown
 * only from MAIL FROM on, not while a server is slow to greet. Nothing but the outbox decides to
 * resend. SMTP_URL is read as nodemailer reads it (`smtps://`, `?tls.rejectUnauthorized=...`).
 */
export function smtpMailer(url: string, options: SmtpOptions = {}): Mailer {
  const { auth, ...connection } = parseConnectionUrl(url);
  return {
    kind: 'smtp',
    async open() {
      let dataSent = false;
      // The transaction log (commands only, never message content) tells whether DATA went out.
      const watch = (entry: { tnx?: string } | undefined, text?: unknown) => {
        if (entry?.tnx === 'client' && String(text).trim().toUpperCase() === 'DATA') dataSent = true;
      };
      const logger = { trace: watch, debug: watch, info: watch, warn: watch, error: watch, fatal: watch, level: () => undefined };
      const conn = new SMTPConnection({ ...connection, ...options, transactionLog: true, logger } as SMTPConnection.Options);
      // A refused or timed-out connection, a TLS failure or a dropped socket comes as an 'error' or
      // 'end' event, never through the callback: each step listens for both, or it would wait for ever.
      const step = <T>(run: (done: (err: unknown, value?: T) => void) => void) =>
        new Promise<T>((resolve, reject) => {
          const onError = (err: unknown) => settle(err);
          const onEnd = () => settle(Object.assign(new Error('the SMTP server closed the connection'), { code: 'ECONNECTION' }));
          function settle(err: unknown, value?: T) {
            conn.off('error', onError).off('end', onEnd);
            if (err) reject(err);
            else resolve(value as T);
          }
          conn.once('error', onError).once('end', onEnd);
          run(settle);
        });
      // Errors between steps arrive as events too; without a listener they would crash the process.
      conn.on('error', () => undefined);
      try {
        await step((done) => conn.connect(() => done(undefined)));
        if (auth?.user) await step((done) => conn.login(auth as SMTPConnection.Credentials, done));
      } catch (err) {
        conn.close();
        throw smtpFailure(err, false);
      }
      return {
        async send(message) {
          const { raw, envelope } = await compose(message, 'windows');
          try {
            const info = await step<SMTPConnection.SentMessageInfo>((done) => conn.send(envelope as SMTPConnection.Envelope, raw, done));
            return { response: String(info.response) };
          } catch (err) {
            throw smtpFailure(err, dataSent);
          }
        },
        close() {
          conn.quit();
          conn.close();
        },
      };
    },
    settle: () => 'unknown',
  };
}

/** Without SMTP_URL: each message becomes `digest-<id>.eml`, written whole or not at all. */
export function fileMailer(dir: string): Mailer {
  const file = (id: number) => join(dir, `digest-${id}.eml`);
  const session: MailSession = {
    async send(message) {
      const { raw } = await compose(message, 'unix');
      const tmp = `${file(message.digestId)}.${process.pid}.tmp`;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(tmp, raw);
        renameSync(tmp, file(message.digestId));
      } catch (err) {
        // Until the rename nothing is in the outbox, so writing again is safe.
        throw new RetryableError(`cannot write ${file(message.digestId)}: ${(err as Error).message}`, { cause: err });
      }
      return { response: `written ${file(message.digestId)}` };
    },
    close: () => undefined,
  };
  return {
    kind: 'file',
    open: async () => session,
    settle: (id) => (existsSync(file(id)) ? 'delivered' : 'not-delivered'),
  };
}
