// Why the engine left a pair for a person, in words for the maintainers' page. The codes stay as
// they are in the database and in `dedupe --uncertain` output, where scripts read them.

const UNCERTAIN: Record<string, string> = {
  issue: 'The same title in two issues of one volume and no page to tell them apart: one paper, or a recurring item.',
  authors: 'The same title in the same place, but the author lists disagree.',
  locator: 'Close titles, but the volume or the pages disagree.',
  'similar-title': 'Similar titles, not close enough to be sure.',
  'short-title': 'A short title, and nothing else pins it to one item.',
  journal: 'The same title and authors in two journals: a reprint, or one journal named two ways.',
  'no-authors': 'The same title, no authors on one side and no journal to agree on.',
  'title+authors-only': 'Only title and authors agree, in different years: a working paper and its published version?',
  'no-title': 'One record has no title; authors and place agree.',
  'doi-conflict': 'Everything agrees except the DOIs.',
  'doi-without-title': 'The same DOI, but one record has no title.',
  'shared-doi-titles-differ': 'One DOI on two different titles: a supplement or a book?',
  'pmid-title-mismatch': 'One PMID on two different titles.',
  'column-heading+locator': "A bare column heading (\"Editor's comments\") and a titled column in the same issue.",
  'matches-two-works': 'A new record is the same as this work and as another one that differs from it.',
};

/** A sentence for an uncertain pair's reason code; an unknown code is shown as it is. */
export function explainReason(code: string): string {
  if (code.startsWith('chain-guard:')) return `Alike, but joining them would join records that differ (${code.slice('chain-guard:'.length)}).`;
  return UNCERTAIN[code] ?? code;
}
