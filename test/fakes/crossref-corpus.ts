// Work items for the Crossref fake, in Crossref's schema: ones the shipped strategy (peers AND
// overdose prevention) matches, and ones its relevance query returns but the strategy rejects.
import type { CrossrefItem } from './crossref-server.js';

const DAY_MS = 86_400_000;

function dateParts(day: string): { 'date-parts': number[][]; 'date-time': string } {
  return { 'date-parts': [day.split('-').map(Number)], 'date-time': `${day}T06:00:00Z` };
}

export function work(doi: string, indexed: string, title: string, more: CrossrefItem = {}): CrossrefItem {
  return {
    indexed: dateParts(indexed),
    DOI: doi,
    type: 'journal-article',
    created: dateParts(indexed),
    title: [title],
    author: [{ given: 'Ana B.', family: 'Example', sequence: 'first', affiliation: [] }],
    'container-title': ['Harm Reduction Journal'],
    issued: { 'date-parts': [[Number(indexed.slice(0, 4))]] },
    language: 'en',
    ...more,
  };
}

/** Spreads n items over the days of [from, to]. */
function days(n: number, from: string, to: string): string[] {
  const a = Date.parse(`${from}T00:00:00Z`);
  const span = Math.round((Date.parse(`${to}T00:00:00Z`) - a) / DAY_MS) + 1;
  return Array.from({ length: n }, (_, i) => new Date(a + (i % span) * DAY_MS).toISOString().slice(0, 10));
}

export interface Corpus {
  items: CrossrefItem[];
  /** DOIs (lower case) the shipped strategy matches. */
  matching: string[];
}

/**
 * `matching` items the strategy keeps (peer + overdose words in title or abstract), and as many
 * `loose` ones the relevance query returns (one concept only, or the right words in another
 * language), plus `unrelated` ones sharing no query word.
 */
export function corpus(opts: { matching: number; loose: number; unrelated?: number; from: string; to: string; prefix?: string }): Corpus {
  const p = opts.prefix ?? '10.5555/lr';
  const items: CrossrefItem[] = [];
  const matching: string[] = [];
  days(opts.matching, opts.from, opts.to).forEach((day, i) => {
    const doi = `${p}.m${i}`;
    matching.push(doi.toLowerCase());
    items.push(
      i % 2 === 0
        ? work(doi, day, `Peer-delivered naloxone programme number ${i}`)
        : work(doi, day, `Community programme ${i}`, { abstract: `<jats:p>Peer workers responded to <jats:italic>overdoses</jats:italic> in site ${i}.</jats:p>` }),
    );
  });
  days(opts.loose, opts.from, opts.to).forEach((day, i) => {
    const kind = i % 3;
    const doi = `${p}.l${i}`;
    if (kind === 0) items.push(work(doi, day, `Peer review of dental materials ${i}`));
    else if (kind === 1) items.push(work(doi, day, `Naloxone pharmacokinetics in rats ${i}`));
    else items.push(work(doi, day, `Peer naloxone Studie ${i}`, { language: 'de' }));
  });
  days(opts.unrelated ?? 0, opts.from, opts.to).forEach((day, i) => items.push(work(`${p}.u${i}`, day, `Soil ecology survey ${i}`)));
  return { items, matching };
}
