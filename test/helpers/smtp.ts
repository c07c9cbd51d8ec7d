import type { AddressInfo } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';

export interface Received {
  envelopeTo: string[];
  raw: Buffer;
  mail: Email;
}

export interface FakeSmtp {
  url: string;
  received: Received[];
  /** Refuse the next n MAIL FROM commands with 451. */
  refuseMailFrom(n: number): void;
  /** Refuse the next n RCPT TO commands with this code. */
  refuseRcpt(n: number, code: number): void;
  /** Take the next n messages whole, then drop the connection instead of answering 250. */
  dropAfterData(n: number): void;
  /** Run `hook` once, after the next message is stored and before the 250 goes out. */
  beforeNextAccept(hook: () => Promise<void>): void;
  /** Run `hook` once, when the next client connects and before the server greets it. */
  beforeNextGreeting(hook: () => Promise<void>): void;
  attempts: number;
  close(): Promise<void>;
}

/** The message the fake received for `email`'s address, parsed. */
export function mailTo(smtp: Pick<FakeSmtp, 'received'>, email: string): Email {
  return smtp.received.find((m) => m.envelopeTo[0] === email)!.mail;
}

/** The targets, in order, of a message's HTML links whose text is `label`. */
export function hrefsOf(html: string, label: string): string[] {
  return [...html.matchAll(new RegExp(`<a href="([^"]+)"[^>]*>${label}</a>`, 'g'))].map((m) => m[1]!.replaceAll('&amp;', '&'));
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** A real SMTP server in the test process, with faults to order; with `auth`, clients must log in. */
export async function startSmtp(opts: { auth?: { user: string; pass: string } } = {}): Promise<FakeSmtp> {
  let refuseMail = 0;
  let refuseRcpt = 0;
  let rcptCode = 451;
  let drop = 0;
  let beforeAccept: (() => Promise<void>) | undefined;
  let beforeGreeting: (() => Promise<void>) | undefined;
  const fake: Omit<FakeSmtp, 'url' | 'close'> = {
    received: [],
    attempts: 0,
    refuseMailFrom: (n) => void (refuseMail = n),
    refuseRcpt: (n, code) => void ((refuseRcpt = n), (rcptCode = code)),
    dropAfterData: (n) => void (drop = n),
    beforeNextAccept: (hook) => void (beforeAccept = hook),
    beforeNextGreeting: (hook) => void (beforeGreeting = hook),
  };
  const server: SMTPServer = new SMTPServer({
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    onAuth(auth, _session, cb) {
      if (auth.username === opts.auth?.user && auth.password === opts.auth?.pass) return cb(null, { user: auth.username });
      cb(smtpError(535, 'Authentication credentials invalid'));
    },
    logger: false,
    onConnect(_session, cb) {
      const hook = beforeGreeting;
      beforeGreeting = undefined;
      // The 220 greeting goes out when cb is called.
      void Promise.resolve(hook?.()).then(() => cb());
    },
    onMailFrom(_address, _session, cb) {
      fake.attempts++;
      if (refuseMail > 0) {
        refuseMail--;
        return cb(smtpError(451, 'Try again later'));
      }
      cb();
    },
    onRcptTo(_address, _session, cb) {
      if (refuseRcpt > 0) {
        refuseRcpt--;
        return cb(smtpError(rcptCode, rcptCode >= 500 ? 'No such user here' : 'Mailbox busy, try later'));
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks);
        fake.received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, mail: await PostalMime.parse(raw) });
        if (drop > 0) {
          drop--;
          // The server has the message; the client never hears the 250 (RFC 1047's window).
          for (const conn of server.connections) (conn as { _socket: { destroy(): void } })._socket.destroy();
          return;
        }
        const hook = beforeAccept;
        beforeAccept = undefined;
        await hook?.();
        cb(null, `queued as ${fake.received.length}`);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    ...fake,
    get received() {
      return fake.received;
    },
    get attempts() {
      return fake.attempts;
    },
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  } as FakeSmtp;
}
