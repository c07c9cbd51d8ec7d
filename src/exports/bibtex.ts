import type { Candidate } from '../db/queries/candidates.js';

function escape(s: string): string {
  return s.replace(/[\\{}]/g, (c) => `\\${c}`).replace(/[&%$#_]/g, (c) => `\\${c}`);
}

function field(name: string, value: string | number | null | undefined): string {
  return value === null || value === undefined || value === '' ? '' : `  ${name} = {${escape(String(value))}},\n`;
}

export function renderBibtex(candidates: Candidate[]): string {
  return candidates
    .map((c) => {
      const first = c.authors[0]?.family.replace(/[^A-Za-z]/g, '') ?? 'anon';
      const key = `${first}${c.year ?? ''}lr${c.id}`;
      const authors = c.authors.map((a) => (a.collective ? `{${a.family}}` : [a.family, a.given ?? a.initials].filter(Boolean).join(', ')));
      return (
        `@article{${key},\n` +
        field('title', c.title) +
        field('author', authors.join(' and ')) +
        field('journal', c.journal) +
        field('year', c.year) +
        field('volume', c.volume) +
        field('number', c.issue) +
        field('pages', c.pages?.replace('-', '--')) +
        field('doi', c.doi) +
        field('pmid', c.pmid) +
        field('abstract', c.abstract) +
        `}\n`
      );
    })
    .join('\n');
}
