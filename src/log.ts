import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured logs go to stderr so stdout stays for command output (--json, exports). */
export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { app: 'living-review', ...bindings } }, pino.destination(2));
}
