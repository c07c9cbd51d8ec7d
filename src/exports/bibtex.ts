import type { Candidate } from '../db/queries/candidates.js';
import { pageSpan } from './pages.js';

// TeX's special characters, each written so that it prints as itself (< and > print as ¡ and ¿
// in the default OT1 font encoding).
const TEX: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
  '<': '\\textless{}',
  '>': '\\textgreater{}',
};

function escape(s: string): string {
  return s.replace(/[\\{}&%$#_~^<>]/g, (c) => TEX[c] ?? `\\${c}`);
}

/** `tex` is already escaped. */
function texField(name: string, tex: string | undefined): string {
  return tex ? `  ${name} = {${tex}},\n` : '';
}

function field(name: string, value: string | number | null | undefined): string {
  return texField(name, value === null || value === undefined ? undefined : escape(String(value)));
}

// Where each kind names what holds it: a chapter's book is its booktitle, a preprint's server howpublished.
const BIBTEX_TYPE: Record<NonNullable<Candidate['kind']>, { type: string; container?: string }> = {
  article: { type: 'article', container: 'journal' },
  preprint: { type: 'misc', container: 'howpublished' },
  book: { type: 'book' },
  'book-chapter': { type: 'incollection', container: 'booktitle' },
  other: { type: 'misc', container: 'howpublished' },
};

export function renderBibtex(candidates: Candidate[]): string {
  return candidates
    .map((c) => {
      // Müller is Muller in the key, not Mller: BibTeX keys are ASCII.
      const first = c.authors[0]?.family.normalize('NFKD').replace(/[^A-Za-z]/g, '') ?? 'anon';
      const key = `${first}${c.year ?? ''}lr${c.id}`;
      const pages = pageSpan(c.pages);
      // A group author, or any name with no given part, in braces is one name to BibTeX, not a
      // person called "Group" (or "Consortium").
      const authors = c.authors.map((a) => {
        const given = a.collective ? undefined : a.given ?? a.initials;
        return given ? escape(`${a.family}, ${given}`) : `{${escape(a.family)}}`;
      });
      const entry = BIBTEX_TYPE[c.kind ?? 'article'];
      return (
        `@${entry.type}{${key},\n` +
        // Double braces keep the title's case as published: styles otherwise lower "HIV", "Ohio".
        texField('title', c.title ? `{${escape(c.title)}}` : undefined) +
        texField('author', authors.join(' and ')) +
        (entry.container ? field(entry.container, c.journal) : '') +
        field('year', c.year) +
        field('volume', c.volume) +
        field('number', c.issue) +
        field('pages', pages && [pages.first, pages.last].filter(Boolean).join('--')) +
        // Verbatim to biblatex and to hyperref's \url: escaping would print the backslashes.
        texField('doi', c.doi?.replace(/[{}]/g, '')) +
        field('pmid', c.pmid) +
        field('pmcid', c.pmcid) +
        field('issn', c.issn.join(', ') || null) +
        field('abstract', c.abstract) +
        `}\n`
      );
    })
    .join('\n');
}
