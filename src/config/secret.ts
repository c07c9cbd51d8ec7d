import { ConfigError } from '../errors.js';

/** Used only under NODE_ENV=test, so tests need no secret and no real deployment can run on it. */
export const TEST_SECRET = 'living-review-test-secret-not-for-production';

/** The key that signs action links; `serve` and `digest` refuse to start without it. */
export function requireSecret(env: { APP_SECRET?: string | undefined }, nodeEnv = process.env.NODE_ENV): string {
  if (env.APP_SECRET) return env.APP_SECRET;
  if (nodeEnv === 'test') return TEST_SECRET;
  throw new ConfigError('APP_SECRET is not set: it signs the links in digests and on the triage pages; set it to a random string of at least 16 characters (openssl rand -hex 32)');
}
