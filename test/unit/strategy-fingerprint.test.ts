import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEnv } from '../../src/config/env.js';
import { loadProtocol, type Protocol } from '../../src/config/protocol.js';
import { packageRoot } from '../../src/paths.js';
import { sentStrategy } from '../../src/runs/strategy.js';
import { createSources } from '../../src/sources/registry.js';
import { API_SOURCES, type ApiSourceName } from '../../src/sources/types.js';
import type { SearchStrategy } from '../../src/strategy/types.js';

const protocol = loadProtocol(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'));
const sources = createSources(loadEnv({}), [...API_SOURCES]);
const source = (name: ApiSourceName) => sources.find((s) => s.name === name)!;

/** Each source's fingerprint for the shipped protocol with `edit` applied to its strategy. */
function fingerprints(edit: (s: SearchStrategy) => SearchStrategy, over: Partial<Protocol> = {}): Record<ApiSourceName, string> {
  const p = { ...protocol, ...over, strategy: edit(structuredClone(protocol.strategy)) };
  return Object.fromEntries(API_SOURCES.map((n) => [n, sentStrategy(source(n), p).fingerprint])) as Record<ApiSourceName, string>;
}

const unchanged = fingerprints((s) => s);
const [peers, overdose] = protocol.strategy.blocks;

describe('strategy fingerprint', () => {
  it('leaves the window out, which Europe PMC sends inside its query', () => {
    const epmc = source('europepmc');
    const { query, fingerprint } = sentStrategy(epmc, protocol);
    const january = epmc.sentQuery!(query, { from: '2025-01-01', to: '2025-01-31' });
    const june = epmc.sentQuery!(query, { from: '2025-06-01', to: '2025-06-30' });
    expect(january).not.toBe(june);
    expect(january).toContain(query);
    // Nothing about a window goes in: the same protocol, the same fingerprint, every time.
    expect(sentStrategy(epmc, protocol).fingerprint).toBe(fingerprint);
    expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for every source when nothing that decides results is edited', () => {
    expect(fingerprints((s) => ({ ...s, note: 'the published strings', reconstructed: false }))).toEqual(unchanged);
    expect(fingerprints((s) => ({ ...s, blocks: s.blocks.map((b) => ({ ...b, name: `${b.name}!` })) }))).toEqual(unchanged);
  });

  it('changes for every source with a synonym added', () => {
    const changed = fingerprints((s) => ({ ...s, blocks: [{ ...peers!, terms: [...peers!.terms, { text: 'community health worker*', field: 'tiab' }] }, overdose!] }));
    for (const n of API_SOURCES) expect(changed[n], n).not.toBe(unchanged[n]);
  });

  it('changes with a MeSH heading for the sources that search or check MeSH, not for Crossref', () => {
    const changed = fingerprints((s) => ({ ...s, blocks: [peers!, { ...overdose!, mesh: [...overdose!.mesh, 'Opioid-Related Disorders'] }] }));
    expect(changed.pubmed).not.toBe(unchanged.pubmed);
    expect(changed.europepmc).not.toBe(unchanged.europepmc);
    // OpenAlex cannot search MeSH but checks what it returns against the strategy; so does Crossref.
    expect(changed.openalex).not.toBe(unchanged.openalex);
    expect(changed.crossref).not.toBe(unchanged.crossref);
  });

  it('changes with a language, a year limit or a not block', () => {
    const edits: ((s: SearchStrategy) => SearchStrategy)[] = [
      (s) => ({ ...s, limits: { ...s.limits, languages: [...s.limits.languages, 'french'] } }),
      (s) => ({ ...s, limits: { ...s.limits, years: { from: 2015 } } }),
      (s) => ({ ...s, not: [{ name: 'animals', terms: [{ text: 'rats', field: 'tiab' }], mesh: [] }] }),
    ];
    for (const edit of edits) {
      const changed = fingerprints(edit);
      for (const n of API_SOURCES) expect(changed[n], `${n} ${edit}`).not.toBe(unchanged[n]);
    }
  });

  it('changes with a publication type, and with an unless on a not block, for every source', () => {
    const animals = { name: 'animal studies', terms: [], mesh: ['Animals'] };
    const withNot = fingerprints((s) => ({ ...s, not: [animals] }));
    const edits: ((s: SearchStrategy) => SearchStrategy)[] = [
      (s) => ({ ...s, not: [{ ...animals, publicationTypes: ['Editorial'] }] }),
      (s) => ({ ...s, not: [{ ...animals, unless: { terms: [], mesh: ['Humans'] } }] }),
    ];
    for (const edit of edits) {
      const changed = fingerprints(edit);
      // Crossref is sent no MeSH or types: only its local check reads them, and the fingerprint with it.
      for (const n of API_SOURCES) expect(changed[n], `${n} ${edit}`).not.toBe(withNot[n]);
    }
  });

  it("follows a source's own query override, not the strategy it overrides", () => {
    const own = (query: string) => ({ sources: { ...protocol.sources, pubmed: { enabled: true, query } } });
    const a = fingerprints((s) => s, own('naloxone[tiab] AND peer[tiab]'));
    expect(a.pubmed).not.toBe(unchanged.pubmed);
    expect(fingerprints((s) => s, own('naloxone[tiab] AND peers[tiab]')).pubmed).not.toBe(a.pubmed);
    // The strategy edited under an override: PubMed is sent the same query, Europe PMC another.
    const edited = fingerprints((s) => ({ ...s, limits: { ...s.limits, languages: ['french'] } }), own('naloxone[tiab] AND peer[tiab]'));
    expect(edited.pubmed).toBe(a.pubmed);
    expect(edited.europepmc).not.toBe(a.europepmc);
  });

  it('counts the strategy for an OpenAlex override only as far as the query: the records are not checked then', () => {
    const own = { sources: { ...protocol.sources, openalex: { enabled: true, query: 'default.search:naloxone' } } };
    const before = fingerprints((s) => s, own);
    const edited = fingerprints((s) => ({ ...s, limits: { ...s.limits, languages: ['french'] } }), own);
    expect(edited.openalex).toBe(before.openalex);
    expect(edited.crossref).not.toBe(before.crossref);
  });

  it("changes PubMed's alone when a heading stops exploding: only PubMed explodes headings", () => {
    const changed = fingerprints((s) => ({ ...s, blocks: [peers!, { ...overdose!, noExplode: ['Drug Overdose'] }] }));
    expect(changed.pubmed).not.toBe(unchanged.pubmed);
    expect({ ...changed, pubmed: unchanged.pubmed }).toEqual(unchanged);
  });
});
