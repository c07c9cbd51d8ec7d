import type { RecordRelation, SourceRecord } from '../records/types.js';

const NAMED: Partial<Record<RecordRelation['type'], string>> = {
  'erratum-in': 'erratum',
  'expression-of-concern-in': 'expression of concern',
};

/**
 * What a record says happened to its own paper since publication: that it was retracted (a flag
 * some sources give without naming the notice), or an erratum or expression of concern it names.
 * Each becomes a reason on an included work's `attention`, once.
 */
export function reportedNotices(r: SourceRecord): string[] {
  const out = new Set<string>();
  if (r.flags.retracted) out.add('retracted (reported by a source record)');
  for (const rel of r.relations ?? []) {
    const what = NAMED[rel.type];
    const ref = rel.pmid ? `PMID ${rel.pmid}` : rel.doi ? `DOI ${rel.doi}` : undefined;
    if (what && ref) out.add(`${what} in ${ref} (reported by a source record)`);
  }
  return [...out];
}
