import type { AppEnv } from '../config/env.js';
import type { Protocol } from '../config/protocol.js';
import { ConfigError } from '../errors.js';
import { createCrossrefSource } from './crossref/source.js';
import { createEuropePmcSource } from './europepmc/source.js';
import { createOpenAlexSource } from './openalex/source.js';
import { createPubmedSource } from './pubmed/source.js';
import type { SourceHooks, SourceProvider } from './provider.js';
import { API_SOURCES, type ApiSourceName, type Source } from './types.js';

/** Sources with a client; the others of the contract are refused by name until they land. */
const BUILDERS: Partial<Record<ApiSourceName, (env: AppEnv, hooks: SourceHooks) => Source>> = {
  pubmed: (env, hooks) =>
    createPubmedSource({
      baseUrl: env.EUTILS_BASE_URL,
      apiKey: env.NCBI_API_KEY,
      email: env.NCBI_EMAIL,
      tool: env.NCBI_TOOL,
      // Workers pass the Redis limiter shared by every process; `run --once` keeps the in-process one.
      rateLimiter: hooks.eutilsLimiter,
      onResponse: hooks.onResponse && ((status) => hooks.onResponse!('pubmed', status)),
    }),
  europepmc: (env, hooks) =>
    createEuropePmcSource({
      baseUrl: env.EUROPEPMC_BASE_URL,
      onResponse: hooks.onResponse && ((status) => hooks.onResponse!('europepmc', status)),
    }),
  openalex: (env, hooks) =>
    createOpenAlexSource({
      baseUrl: env.OPENALEX_BASE_URL,
      apiKey: env.OPENALEX_API_KEY,
      mailto: env.CONTACT_EMAIL,
      onResponse: hooks.onResponse && ((status) => hooks.onResponse!('openalex', status)),
    }),
  crossref: (env, hooks) =>
    createCrossrefSource({
      baseUrl: env.CROSSREF_BASE_URL,
      mailto: env.CONTACT_EMAIL,
      onResponse: hooks.onResponse && ((status) => hooks.onResponse!('crossref', status)),
    }),
};

/** `--sources a,b`, or the sources the protocol enables. */
export function parseSourceList(list: string | undefined, protocol: Protocol): ApiSourceName[] {
  const names = list
    ? list.split(',').map((s) => s.trim()).filter(Boolean)
    : API_SOURCES.filter((s) => protocol.sources[s]?.enabled);
  for (const n of names) {
    if (!(API_SOURCES as readonly string[]).includes(n)) {
      throw new ConfigError(`--sources: unknown source "${n}" (expected ${API_SOURCES.join(', ')})`);
    }
    if (!BUILDERS[n as ApiSourceName]) {
      throw new ConfigError(`--sources: ${n} has no client yet (available: ${Object.keys(BUILDERS).join(', ')})`);
    }
  }
  if (names.length === 0) throw new ConfigError(`${protocol.file}: sources: no source enabled`);
  return names as ApiSourceName[];
}

export function createSources(env: AppEnv, names: ApiSourceName[], hooks: SourceHooks = {}): Source[] {
  return names.map((n) => BUILDERS[n]!(env, hooks));
}

/** The real sources, as workers see them. */
export function registryProvider(env: AppEnv): SourceProvider {
  return {
    select: (protocol, list) => parseSourceList(list, protocol),
    create: (names, hooks) => createSources(env, names, hooks),
  };
}
