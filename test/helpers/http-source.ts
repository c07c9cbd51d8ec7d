import { API_SOURCES, type ApiSourceName, type Source } from '../../src/sources/types.js';
import type { SourceHooks, SourceProvider } from '../../src/sources/provider.js';
import { RetryableError } from '../../src/errors.js';
import { NO_FLAGS, type SourceRecord } from '../../src/records/types.js';

/**
 * A test double of a Source that makes real HTTP requests to `startFakeApi`, each one through
 * the shared E-utilities limiter, as the PubMed source does once merged.
 */
export function createHttpSource(baseUrl: string, name: ApiSourceName, hooks: SourceHooks, batchSize = 10): Source {
  const get = async <T>(path: string, signal?: AbortSignal): Promise<T> => {
    await hooks.limiter?.(name, 3).acquire(signal);
    let res: Response;
    try {
      res = await fetch(baseUrl + path, { signal });
    } catch (err) {
      hooks.onResponse?.(name, 'error');
      throw new RetryableError(`${name}: ${(err as Error).message}`);
    }
    hooks.onResponse?.(name, res.status);
    if (!res.ok) throw new RetryableError(`${name}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  return {
    name,
    compileQuery: () => 'naloxone AND peer',
    async search({ signal }) {
      const { count } = await get<{ count: number }>('/count', signal);
      return {
        identified: count,
        batches: (async function* () {
          for (let offset = 0; offset < count; offset += batchSize) {
            const page = await get<{ pmid: string; title: string }[]>(`/records?offset=${offset}&limit=${batchSize}`, signal);
            yield page.map((r): SourceRecord => ({ source: name, sourceId: r.pmid, pmid: r.pmid, title: r.title, authors: [], flags: NO_FLAGS }));
          }
        })(),
      };
    },
  };
}

export function httpSourceProvider(baseUrl: string): SourceProvider {
  return {
    select: (protocol) => API_SOURCES.filter((s) => protocol.sources[s]?.enabled),
    create: (names, hooks) => names.map((n) => createHttpSource(baseUrl, n, hooks)),
  };
}
