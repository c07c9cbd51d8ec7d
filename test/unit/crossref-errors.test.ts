import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explainFailure } from '../../src/sources/crossref/client.js';

const SHARED = join(import.meta.dirname, '../../../shared/fixtures/crossref');
const hasShared = existsSync(SHARED);
if (!hasShared) console.warn('skipping recorded Crossref error tests: ../shared/fixtures absent (clone outside the workplace)');
const body = (file: string) => readFileSync(join(SHARED, file), 'utf8');

describe('explainFailure', () => {
  it('leaves bodies that are not a Crossref failure list to the plain excerpt', () => {
    expect(explainFailure(404, 'Resource not found.')).toBeUndefined();
    expect(explainFailure(500, '{"status":"error","message-type":"exception","message":{"name":"x"}}')).toBeUndefined();
    expect(explainFailure(400, '{"status":"failed","message":[]}')).toBeUndefined();
  });
});

describe.skipIf(!hasShared)('recorded Crossref error bodies', () => {
  it('400 validation-failure: the whole upstream message, untruncated', () => {
    expect(explainFailure(400, body('error_400_rows_not_valid_max1000.json'))).toBe(
      'validation-failure: integer-not-valid (things): Integer specified as things but must be a positive integer less than or equal to 1000.',
    );
    expect(explainFailure(400, body('error_400_filter_not_available_on_route.json'))).toBe(
      "validation-failure: filter-not-available (from-pub-date): Filter 'from-pub-date' specified but there is no such filter for this route. Valid filters for this route are: location",
    );
  });

  it('404 cursor-invalid says what to do', () => {
    expect(explainFailure(404, body('error_404_cursor_invalid.json'))).toBe(
      'resource-failure: cursor-invalid (thing): Cursor specified but it is invalid - the scan took too long between pages; run the window again',
    );
  });

  it('the 2022 500 exception (a stack trace) and the plain-text 404 keep the excerpt', () => {
    expect(explainFailure(500, body('error_500_exception_numeric_cursor.json'))).toBeUndefined();
    expect(explainFailure(404, body('error_404_resource_not_found_text_plain.txt'))).toBeUndefined();
  });
});
