import type { Source } from '../sources/types.js';

/**
 * `runCycle` records a failed source as a one-line message and carries on; the job still needs
 * the thrown error itself to tell permanent from retryable. This wraps a source to keep it.
 */
export function captureSourceErrors(source: Source): { source: Source; error(): unknown } {
  let caught: unknown;
  const keep = (err: unknown) => {
    caught ??= err;
    return err;
  };
  const wrapped: Source = {
    name: source.name,
    compileQuery: (strategy) => source.compileQuery(strategy),
    async search(request) {
      try {
        const search = await source.search(request);
        return {
          // read through: a source that checks records locally counts while its batches are read
          get identified() {
            return search.identified;
          },
          ...(search.warnings ? { warnings: search.warnings } : {}),
          batches: {
            async *[Symbol.asyncIterator]() {
              try {
                yield* search.batches;
              } catch (err) {
                throw keep(err);
              }
            },
          },
        };
      } catch (err) {
        throw keep(err);
      }
    },
  };
  // A recheck's failure is logged by the cycle and fails no job: nothing to keep from it.
  const lookup = source.lookup?.bind(source);
  if (lookup) wrapped.lookup = lookup;
  return { source: wrapped, error: () => caught };
}
