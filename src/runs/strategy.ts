import { createHash } from 'node:crypto';
import type { Protocol } from '../config/protocol.js';
import type { Source } from '../sources/types.js';
import type { Alternatives, SearchStrategy } from '../strategy/types.js';

/** What a source is asked to find: the query it is sent (before any window) and its fingerprint. */
export interface SentStrategy {
  /** The protocol's `sources.<name>.query`, or the strategy compiled for this source. */
  query: string;
  /** True when `query` is the protocol's override. */
  override: boolean;
  /** `strategyFingerprint` of what the source searches with: equal fingerprints, equal results. */
  fingerprint: string;
}

/**
 * The query a source is sent for the protocol, and its fingerprint. Throws the source's
 * PermanentError for a strategy its API cannot express.
 */
export function sentStrategy(source: Pick<Source, 'name' | 'compileQuery' | 'checksStrategy'>, protocol: { strategy: SearchStrategy; sources: Protocol['sources'] }): SentStrategy {
  const own = protocol.sources[source.name]?.query;
  const override = own !== undefined;
  const query = own ?? source.compileQuery(protocol.strategy);
  const checked = source.checksStrategy?.(override) ?? false;
  return { query, override, fingerprint: strategyFingerprint(query, checked ? protocol.strategy : undefined) };
}

/**
 * A stable hash of what decides a source's results apart from the dates: the query it is sent
 * without its window (Europe PMC's FIRST_IDATE clause is added later, by `sentQuery`; the other
 * APIs take the window as separate parameters) and, for a source that checks records against the
 * strategy itself (Crossref, OpenAlex without an override), the parts of the strategy that check
 * reads: blocks, `not` blocks and limits. Names, notes and `reconstructed` are left out: editing
 * them finds nothing new.
 */
export function strategyFingerprint(query: string, checked?: SearchStrategy): string {
  const local = checked && {
    blocks: checked.blocks.map(matched),
    not: (checked.not ?? []).map(matched),
    languages: checked.limits.languages,
    years: [checked.limits.years?.from ?? null, checked.limits.years?.to ?? null],
  };
  return createHash('sha256')
    .update(JSON.stringify({ query, local: local ?? null }))
    .digest('hex');
}

/**
 * What a local check matches of a block, in a fixed shape (noExplode is PubMed's alone, sent in its
 * query); publication types and a not block's `unless` only where the block has them.
 */
function matched(b: Alternatives & { unless?: Alternatives }): object {
  return {
    terms: b.terms.map((t) => [t.field, t.text]),
    mesh: b.mesh,
    ...(b.publicationTypes?.length ? { types: b.publicationTypes } : {}),
    ...(b.unless ? { unless: matched(b.unless) } : {}),
  };
}
