import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** A URL its client speaks: any other scheme would fail later, and less plainly than here. */
const url = (schemes: string[], what: string, kind = `a ${schemes.map((s) => `${s}://`).join(' or ')} URL`) =>
  z.string().refine((v) => URL.canParse(v) && schemes.includes(new URL(v).protocol.slice(0, -1)), { message: `expected ${kind} (${what})` });
/** A web address: links in emails and API bases need a scheme a browser or HTTP client speaks. */
const webUrl = (what: string) => url(['http', 'https'], what, 'an http(s) URL');
/** An empty variable is an unset one (`FOO=` in an .env file), with or without a default. */
const unsetIfEmpty = (v: unknown) => (v === '' ? undefined : v);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetIfEmpty, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, value: z.input<T>) => z.preprocess(unsetIfEmpty, schema.default(value as never));

/** Every environment variable of the public contract, with its default. */
const envSchema = z.object({
  // node-postgres also reads `socket:/run/postgresql?db=name` for a Unix socket.
  DATABASE_URL: optional(url(['postgres', 'postgresql', 'socket'], 'postgres://user@host:5432/db', 'a postgres:// or postgresql:// URL')),
  LR_DATA_DIR: withDefault(z.string(), './data'),
  REDIS_URL: withDefault(url(['redis', 'rediss'], 'redis://host:6379'), 'redis://127.0.0.1:6379'),
  SMTP_URL: optional(url(['smtp', 'smtps'], 'smtp://user:pass@host:587')),
  MAIL_FROM: withDefault(z.string(), 'living-review <noreply@localhost>'),
  PUBLIC_URL: withDefault(webUrl('https://review.example.org'), 'http://localhost:3000'),
  APP_SECRET: optional(z.string().min(16, 'expected at least 16 characters')),
  REVIEW_CONFIG: optional(z.string()),
  EUTILS_BASE_URL: withDefault(webUrl('E-utilities base'), 'https://eutils.ncbi.nlm.nih.gov/entrez/eutils'),
  NCBI_API_KEY: optional(z.string()),
  NCBI_EMAIL: optional(z.string()),
  NCBI_TOOL: withDefault(z.string(), 'living-review'),
  EUROPEPMC_BASE_URL: withDefault(webUrl('Europe PMC REST base'), 'https://www.ebi.ac.uk/europepmc/webservices/rest'),
  OPENALEX_BASE_URL: withDefault(webUrl('OpenAlex base'), 'https://api.openalex.org'),
  /** Sent as `api_key`; OpenAlex requires a (free) key since February 2026. */
  OPENALEX_API_KEY: optional(z.string()),
  CROSSREF_BASE_URL: withDefault(webUrl('Crossref base'), 'https://api.crossref.org'),
  CONTACT_EMAIL: optional(z.string()),
  /** BullMQ key prefix: separate deployments (or test runs) sharing one Redis. */
  QUEUE_PREFIX: withDefault(z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, - and _'), 'living-review'),
  /** Queue dashboard credentials: a bearer token, or a user and password for basic auth. */
  DASHBOARD_TOKEN: optional(z.string().min(16, 'expected at least 16 characters')),
  DASHBOARD_USER: optional(z.string().min(1)),
  DASHBOARD_PASSWORD: optional(z.string().min(12, 'expected at least 12 characters')),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' ? unsetIfEmpty(v.trim().toLowerCase()) : v),
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
}).refine((e) => !e.DASHBOARD_USER === !e.DASHBOARD_PASSWORD, {
  message: 'set both DASHBOARD_USER and DASHBOARD_PASSWORD, or neither',
  path: ['DASHBOARD_PASSWORD'],
});

/** The contract's variable names, for documentation checks. */
export const ENV_VARIABLES = Object.keys(envSchema.shape);

export type RawEnv = z.infer<typeof envSchema>;

export interface AppEnv extends RawEnv {
  /** Absolute data directory. */
  dataDir: string;
}

/** Validates the environment once; the error lists every bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): AppEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `environment: ${i.path.join('.')}: ${i.message}`,
    );
    throw new ConfigError(lines.join('; '));
  }
  return { ...parsed.data, dataDir: resolve(parsed.data.LR_DATA_DIR) };
}
