import { describe, expect, it } from 'vitest';
import { captureSourceErrors } from '../../src/queue/capture.js';
import { NO_FLAGS, type SourceRecord } from '../../src/records/types.js';
import type { Source, SourceSearch } from '../../src/sources/types.js';

const record = (id: string): SourceRecord => ({ source: 'openalex', sourceId: id, title: id, authors: [], flags: NO_FLAGS });

/** A source that counts records as its batches are read, like one checking the strategy locally. */
function countingSource(): Source {
  return {
    name: 'openalex',
    compileQuery: () => 'q',
    async search() {
      let identified = 0;
      const warnings: string[] = [];
      const search: SourceSearch = {
        get identified() {
          return identified;
        },
        warnings,
        batches: (async function* () {
          identified += 2;
          yield [record('W1'), record('W2')];
          warnings.push('1 of 3 dropped');
        })(),
      };
      return search;
    },
  };
}

describe('captureSourceErrors', () => {
  it('reads identified live and passes the search warnings through (workers record both)', async () => {
    const { source } = captureSourceErrors(countingSource());
    const search = await source.search({ query: 'q', window: { from: '2024-01-01', to: '2024-01-02' } });
    expect(search.identified).toBe(0);
    for await (const _ of search.batches) void _;
    expect(search.identified).toBe(2);
    expect(search.warnings).toEqual(['1 of 3 dropped']);
  });
});
