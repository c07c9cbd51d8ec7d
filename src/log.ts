import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  /** One readable line per entry instead of JSON; defaults to whether stderr is a terminal. */
  pretty?: boolean;
  /** Where lines go; stderr (fd 2) by default. */
  destination?: NodeJS.WritableStream;
}

/**
 * Structured logs go to stderr so stdout stays for command output (--json, exports). JSON lines
 * for machines (Docker, log shippers); on a terminal the same entries as short readable lines.
 */
export function createLogger(level: string, bindings: Record<string, unknown> = {}, opts: LoggerOptions = {}): Logger {
  const options = { level, base: { app: 'living-review', ...bindings } };
  const human = opts.pretty ?? process.stderr.isTTY === true;
  if (!human) return pino(options, opts.destination ?? pino.destination(2));
  const stream = pretty({
    destination: opts.destination ?? 2,
    sync: true,
    colorize: opts.destination === undefined,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,app',
    singleLine: true,
  });
  return pino(options, stream);
}
