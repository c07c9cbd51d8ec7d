import type { AppEnv } from '../config/env.js';
import type { Protocol } from '../config/protocol.js';
import { ConfigError } from '../errors.js';
import { CROSSREF_PER_SECOND } from './crossref/client.js';
import { createCrossrefSource } from './crossref/source.js';
import { EUROPEPMC_PER_SECOND } from './europepmc/client.js';
import { createEuropePmcSource } from './europepmc/source.js';
import { OPENALEX_PER_SECOND } from './openalex/client.js';
import { createOpenAlexSource } from './openalex/source.js';
import { eutilsPerSecond } from './pubmed/eutils-client.js';
import { createPubmedSource } from './pubmed/source.js';
import type { SourceHooks, SourceProvider } from './provider.js';
import { API_SOURCES, type ApiSourceName, type Source } from './types.js';

/**
 * What every source gets from the process: the limiter for its API (workers share one per API
 * through Redis; `run --once` leaves each client its in-process one) and the response counter.
 */
function wiring(hooks: SourceHooks, source: ApiSourceName, perSecond: number) {
  return {
    rateLimiter: hooks.limiter?.(source, perSecond),
    onResponse: hooks.onResponse && ((status: number | 'error') => hooks.onResponse!(source, status)),
  };
}

const BUILDERS: Record<ApiSourceName, (env: AppEnv, hooks: SourceHooks) => Source> = {
  pubmed: (env, hooks) =>
    createPubmedSource({
      baseUrl: env.EUTILS_BASE_URL,
      apiKey: env.NCBI_API_KEY,
      email: env.NCBI_EMAIL,
      tool: env.NCBI_TOOL,
      ...wiring(hooks, 'pubmed', eutilsPerSecond(env.NCBI_API_KEY)),
    }),
  europepmc: (env, hooks) => createEuropePmcSource({ baseUrl: env.EUROPEPMC_BASE_URL, ...wiring(hooks, 'europepmc', EUROPEPMC_PER_SECOND) }),
  openalex: (env, hooks) =>
    createOpenAlexSource({
      baseUrl: env.OPENALEX_BASE_URL,
      apiKey: env.OPENALEX_API_KEY,
      mailto: env.CONTACT_EMAIL,
      ...wiring(hooks, 'openalex', OPENALEX_PER_SECOND),
    }),
  crossref: (env, hooks) =>
    createCrossrefSource({ baseUrl: env.CROSSREF_BASE_URL, mailto: env.CONTACT_EMAIL, ...wiring(hooks, 'crossref', CROSSREF_PER_SECOND) }),
};

/** `--sources a,b`, or the sources the protocol enables. */
export function parseSourceList(list: string | undefined, protocol: Protocol): ApiSourceName[] {
  // A source named twice is searched once.
  const names = list
    ? [...new Set(list.split(',').map((s) => s.trim()).filter(Boolean))]
    : API_SOURCES.filter((s) => protocol.sources[s]?.enabled);
  for (const n of names) {
    if (!(API_SOURCES as readonly string[]).includes(n)) {
      throw new ConfigError(`--sources: unknown source "${n}" (expected ${API_SOURCES.join(', ')})`);
    }
  }
  if (names.length === 0) throw new ConfigError(`${protocol.file}: sources: no source enabled`);
  return names as ApiSourceName[];
}

export function createSources(env: AppEnv, names: ApiSourceName[], hooks: SourceHooks = {}): Source[] {
  return names.map((n) => BUILDERS[n](env, hooks));
}

/** The real sources, as workers see them. */
export function registryProvider(env: AppEnv): SourceProvider {
  return {
    select: (protocol, list) => parseSourceList(list, protocol),
    create: (names, hooks) => createSources(env, names, hooks),
  };
}
