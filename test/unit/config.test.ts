import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { readFileSync } from 'node:fs';
import { loadEnv } from '../../src/config/env.js';
import { loadProtocol, loadProtocols, selectProtocol } from '../../src/config/protocol.js';
import { compilePubmed } from '../../src/strategy/compile/pubmed.js';
import { packageRoot } from '../../src/paths.js';

const shipped = join(packageRoot, 'config/reviews/peer-support-overdose.yaml');
const dir = mkdtempSync(join(tmpdir(), 'lr-config-'));

/** Writes a variant of the shipped protocol with `edit` applied. */
function variant(name: string, edit: (doc: Record<string, any>) => void): string {
  const doc = parse(readFileSync(shipped, 'utf8'));
  edit(doc);
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, stringify(doc));
  return path;
}

/** The message loading the protocol at `path` fails with, '' when it loads. */
function loadError(path: string): string {
  try {
    loadProtocol(path, dir);
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('protocol files', () => {
  it('loads the shipped Mercer et al. 2021 protocol', () => {
    const p = loadProtocol(shipped);
    expect(p.id).toBe('peer-support-overdose');
    expect(p.citation.doi).toBe('10.3390/ijerph182212073');
    expect(p.original_search.date).toBe('2020-11');
    expect(p.update_from).toBe('2020-10-01');
    expect(p.strategy.reconstructed).toBe(true);
    expect(p.strategy.blocks.map((b) => b.name)).toEqual(['peers', 'overdose prevention']);
    expect(p.schedule).toEqual({ search: '0 6 * * 1', digest: '0 8 * * 1', timezone: 'Europe/London' });
    expect(Object.entries(p.sources).filter(([, s]) => s?.enabled).map(([name]) => name)).toEqual(['pubmed', 'europepmc']);
    expect(p.seeds.map((s) => s.pmid)).toEqual(['34831839', '32381086']);
    expect(p.reviewers).toHaveLength(1);
  });

  it('compiles the strategy to the PubMed query of the protocol notes', () => {
    const q = compilePubmed(loadProtocol(shipped).strategy);
    expect(q.startsWith('(peer[tiab] OR peers[tiab] OR "peer-led"[tiab]')).toBe(true);
    expect(q).toContain('"peer support*"[tiab]');
    expect(q).toContain('"Peer Group"[Mesh]) AND (overdos*[tiab] OR "drug-related death*"[tiab]');
    expect(q).toContain('"Naloxone"[Mesh])');
    expect(q.endsWith(') AND english[la]')).toBe(true);
  });

  it('names file, field and expectation for a bad cron expression', () => {
    const path = variant('bad-cron', (d) => (d.schedule.search = '0 6 * *'));
    expect(() => loadProtocol(path, dir)).toThrow('bad-cron.yaml: schedule.search: "0 6 * *" is not a valid cron expression');
  });

  it('refuses a schedule the scheduler cannot follow across its zone\'s clock changes', () => {
    // Lord Howe Island moves its clocks by half an hour; cron-parser gives up on 02:xx ticks next to
    // the change, and BullMQ then schedules nothing more for that scheduler.
    const bad = variant('lord-howe', (d) => Object.assign(d.schedule, { digest: '15 2 * * *', timezone: 'Australia/Lord_Howe' }));
    expect(() => loadProtocol(bad, dir)).toThrow(/lord-howe\.yaml: schedule\.digest: "15 2 \* \* \*" cannot be scheduled in Australia\/Lord_Howe across its clock change at 20\d\d-\d\d-\d\dT\d\d:\d\dZ \(cron-parser: .*loop limit exceeded\); choose a time away from the change/);
    const fine = variant('lord-howe-ok', (d) => Object.assign(d.schedule, { digest: '30 8 * * 1', timezone: 'Australia/Lord_Howe' }));
    expect(loadProtocol(fine, dir).schedule.timezone).toBe('Australia/Lord_Howe');
  });

  it('refuses days that do not exist, which Date.parse would roll over', () => {
    const path = variant('rollover', (d) => {
      d.update_from = '2021-02-30';
      d.original_search.date = '2020-13';
    });
    expect(() => loadProtocol(path, dir)).toThrow(/rollover.yaml: original_search.date: expected YYYY-MM or YYYY-MM-DD\n.*rollover.yaml: update_from: expected a date YYYY-MM-DD/s);
  });

  it('refuses a reviewer listed twice, two reviewers per record with one reviewer, unusable seeds and unknown languages', () => {
    const twice = variant('twice', (d) => d.reviewers.push({ name: 'Other', email: 'Reviewer@Example.org', role: 'maintainer' }));
    expect(() => loadProtocol(twice, dir)).toThrow('twice.yaml: reviewers.1.email: Reviewer@Example.org is already reviewers.0');
    const alone = variant('alone', (d) => (d.screening.reviewers_per_record = 2));
    expect(() => loadProtocol(alone, dir)).toThrow('alone.yaml: screening.reviewers_per_record: 2 reviewers per record needs at least 2 reviewers; the protocol names 1');
    const seeds = variant('bad-seeds', (d) => d.seeds.push({ doi: 'banana' }, { pmid: 'not-a-pmid' }));
    expect(() => loadProtocol(seeds, dir)).toThrow(/bad-seeds.yaml: seeds\.\d+\.doi: expected a DOI.*\n.*bad-seeds.yaml: seeds\.\d+\.pmid: expected a PubMed id/);
    const klingon = variant('klingon', (d) => (d.strategy.limits.languages = ['english', 'klingon']));
    expect(() => loadProtocol(klingon, dir)).toThrow('klingon.yaml: strategy.limits.languages.1: expected a language as PubMed names it (english) or its MEDLINE code (eng)');
  });

  it('reports every invalid field at once', () => {
    const path = variant('many', (d) => {
      d.update_from = '2020-13-45';
      d.schedule.timezone = 'Mars/Olympus';
      d.reviewers[0].email = 'not-an-email';
      d.screening.reviewers_per_record = 3;
    });
    const message = loadError(path);
    expect(message).toContain('many.yaml: update_from: expected a date YYYY-MM-DD');
    expect(message).toContain('many.yaml: schedule.timezone: expected an IANA time zone');
    expect(message).toContain('many.yaml: reviewers.0.email: expected an email address');
    expect(message).toContain('many.yaml: screening.reviewers_per_record');
  });

  it('rejects unknown fields, strategies without terms and protocols without a source', () => {
    expect(() => loadProtocol(variant('typo', (d) => (d.schedul = {})), dir)).toThrow(/typo.yaml: \(top level\): .*schedul/);
    expect(() => loadProtocol(variant('empty-block', (d) => (d.strategy.blocks[0] = { name: 'x' })), dir)).toThrow(
      'empty-block.yaml: strategy.blocks.0: a block needs terms, mesh or publication_types',
    );
    expect(() =>
      loadProtocol(variant('no-source', (d) => (d.sources = { pubmed: { enabled: false } })), dir),
    ).toThrow('no-source.yaml: sources: enable at least one source');
  });

  it('refuses term and heading texts that the sources would read as syntax, and blank query overrides', () => {
    const path = variant('syntax', (d) => {
      d.strategy.blocks[0].terms.push('peer "support"', 'overdos*[tiab]', 'pe*r', '*', { text: 'NOT', field: 'title' }, 'peer *', 'narcan OR naloxone', 'wom?n', 'rat*');
      d.strategy.blocks[1].mesh.push('Peer Group[Mesh:NoExp]', '/prevention and control', '"Naloxone"[mh]');
      d.sources.pubmed.query = '  ';
    });
    const message = loadError(path);
    const n = parse(readFileSync(shipped, 'utf8')).strategy.blocks[0].terms.length;
    expect(message.split('\n')).toEqual([
      `syntax.yaml: strategy.blocks.0.terms.${n}: "peer "support"": write a phrase without quotes: a term of several words is searched as a phrase`,
      `syntax.yaml: strategy.blocks.0.terms.${n + 1}: "overdos*[tiab]": field tags such as [tiab] go in \`field\`, not in the term`,
      `syntax.yaml: strategy.blocks.0.terms.${n + 2}: "pe*r": \`*\` truncates only at the end of a term`,
      `syntax.yaml: strategy.blocks.0.terms.${n + 3}: "*": a term needs at least one word`,
      `syntax.yaml: strategy.blocks.0.terms.${n + 4}.text: "NOT": a Boolean operator: blocks are already combined with AND and terms with OR`,
      `syntax.yaml: strategy.blocks.0.terms.${n + 5}: "peer *": \`*\` must follow the letters it truncates, as in overdos*`,
      `syntax.yaml: strategy.blocks.0.terms.${n + 6}: "narcan OR naloxone": OR inside a term: write each alternative as its own term (terms of a block are ORed)`,
      `syntax.yaml: strategy.blocks.0.terms.${n + 7}: "wom?n": \`?\` is no wildcard here: write each spelling as its own term (woman, women)`,
      `syntax.yaml: strategy.blocks.0.terms.${n + 8}: "rat*": PubMed truncates only after at least 4 characters: write the words in full (rat, rats)`,
      `syntax.yaml: strategy.blocks.1.mesh.${parse(readFileSync(shipped, 'utf8')).strategy.blocks[1].mesh.length}: "Peer Group[Mesh:NoExp]": write { heading: Drug Overdose, explode: false } for a heading without its narrower ones`,
      `syntax.yaml: strategy.blocks.1.mesh.${parse(readFileSync(shipped, 'utf8')).strategy.blocks[1].mesh.length + 1}: "/prevention and control": a qualifier needs its heading before it, e.g. Drug Overdose/prevention and control`,
      `syntax.yaml: strategy.blocks.1.mesh.${parse(readFileSync(shipped, 'utf8')).strategy.blocks[1].mesh.length + 2}: ""Naloxone"[mh]": write the heading alone, e.g. Drug Overdose: each source adds its own field tag`,
      'syntax.yaml: sources.pubmed.query: an empty query would search everything in the window: remove it to use the strategy',
    ]);
  });

  it('reads publication years as a limit, either end open, and names a range that cannot be one', () => {
    expect(loadProtocol(variant('years', (d) => (d.strategy.limits.years = { from: 2010, to: 2024 })), dir).strategy.limits.years).toEqual({ from: 2010, to: 2024 });
    expect(loadProtocol(variant('years-from', (d) => (d.strategy.limits.years = { from: 2010 })), dir).strategy.limits.years).toEqual({ from: 2010 });
    expect(loadProtocol(shipped).strategy.limits.years).toBeUndefined();
    expect(() => loadProtocol(variant('years-order', (d) => (d.strategy.limits.years = { from: 2024, to: 2010 })), dir)).toThrow('years-order.yaml: strategy.limits.years: from is after to');
    expect(() => loadProtocol(variant('years-none', (d) => (d.strategy.limits.years = {})), dir)).toThrow('years-none.yaml: strategy.limits.years: give from, to or both (publication years, inclusive)');
    expect(() => loadProtocol(variant('years-text', (d) => (d.strategy.limits.years = { from: '2010-01' })), dir)).toThrow('years-text.yaml: strategy.limits.years.from: expected a year such as 2005');
    expect(() => loadProtocol(variant('years-two', (d) => (d.strategy.limits.years = { from: 10 })), dir)).toThrow('years-two.yaml: strategy.limits.years.from: expected a year such as 2005');
  });

  it('reads not blocks as blocks, checked as blocks are, and none by default', () => {
    expect(loadProtocol(shipped).strategy.not).toEqual([]);
    const p = loadProtocol(variant('not', (d) => (d.strategy.not = [{ name: 'animals', field: 'title', terms: ['rodent*', { text: 'mice', field: 'tiab' }], mesh: ['Animals'] }])), dir);
    expect(p.strategy.not).toEqual([{ name: 'animals', mesh: ['Animals'], terms: [{ text: 'rodent*', field: 'title' }, { text: 'mice', field: 'tiab' }] }]);
    expect(() => loadProtocol(variant('not-bad', (d) => (d.strategy.not = [{ name: 'x', terms: ['cancer[tiab]'] }, { name: 'y' }])), dir)).toThrow(
      'not-bad.yaml: strategy.not.0.terms.0: "cancer[tiab]": field tags such as [tiab] go in `field`, not in the term\nnot-bad.yaml: strategy.not.1: a block needs terms, mesh or publication_types',
    );
  });

  it('refuses a blank exclusion reason and two that differ only in case or spacing, which screen would read as one', () => {
    const path = variant('reasons', (d) => (d.screening.exclusion_reasons = ['wrong population', '  ', 'Wrong  Population', 'cancer pain']));
    expect(() => loadProtocol(path, dir)).toThrow(
      'reasons.yaml: screening.exclusion_reasons.1: an exclusion reason needs some text\nreasons.yaml: screening.exclusion_reasons.2: "Wrong  Population" is already screening.exclusion_reasons.0',
    );
    expect(loadProtocol(variant('reasons-ok', (d) => (d.screening.exclusion_reasons = [' wrong population ', 'cancer pain'])), dir).screening.exclusion_reasons).toEqual(['wrong population', 'cancer pain']);
  });

  it('names the field of a term written as { text, field }, and what a term or date is when the value is neither', () => {
    const path = variant('forms', (d) => {
      d.strategy.blocks[0].terms.push({ text: 'naloxone', field: 'mesh' }, 5);
      d.update_from = 2021;
      d.original_search.date = 2020;
    });
    const n = parse(readFileSync(shipped, 'utf8')).strategy.blocks[0].terms.length;
    const message = loadError(path);
    expect(message.split('\n').sort()).toEqual([
      'forms.yaml: original_search.date: expected YYYY-MM or YYYY-MM-DD',
      `forms.yaml: strategy.blocks.0.terms.${n}.field: Invalid option: expected one of "tiab"|"title"|"all"`,
      `forms.yaml: strategy.blocks.0.terms.${n + 1}: expected a term: a word or phrase, or { text, field }`,
      'forms.yaml: update_from: expected a date YYYY-MM-DD',
    ]);
  });

  it('reads a heading written as { heading, explode: false } as one not to explode, and names what is wrong in that form', () => {
    const p = loadProtocol(variant('noexp', (d) => (d.strategy.blocks[1].mesh = ['Drug Overdose', { heading: 'Naloxone', explode: false }, { heading: 'Opiate Overdose', explode: true }])), dir);
    expect(p.strategy.blocks[1]).toMatchObject({ mesh: ['Drug Overdose', 'Naloxone', 'Opiate Overdose'], noExplode: ['Naloxone'] });
    expect(loadProtocol(shipped).strategy.blocks[1]).not.toHaveProperty('noExplode');
    const bad = variant('noexp-bad', (d) => (d.strategy.blocks[1].mesh = [{ heading: 'Naloxone[mh]', explode: false }, { heading: 'Naloxone' }, 7]));
    const message = loadError(bad);
    expect(message.split('\n')).toEqual([
      'noexp-bad.yaml: strategy.blocks.1.mesh.0.heading: "Naloxone[mh]": write the heading alone, e.g. Drug Overdose: each source adds its own field tag',
      'noexp-bad.yaml: strategy.blocks.1.mesh.1.explode: Invalid input: expected boolean, received undefined',
      'noexp-bad.yaml: strategy.blocks.1.mesh.2: expected a MeSH heading, or { heading, explode }',
    ]);
  });

  it('refuses a query override that sets the window each run sets, naming the source', () => {
    const path = variant('own-window', (d) => {
      d.sources.pubmed.query = 'naloxone[tiab] AND 2021/01/01:2021/12/31[edat]';
      d.sources.europepmc.query = 'naloxone AND FIRST_IDATE:[2021-01-01 TO 2021-12-31]';
      d.sources.openalex = { enabled: true, query: 'title.search:naloxone,from_created_date:2021-01-01' };
    });
    const message = loadError(path);
    expect(message.split('\n')).toEqual([
      'own-window.yaml: sources.pubmed.query: remove the create or entry date ([crdt], [edat]): each run sets its own window on it',
      'own-window.yaml: sources.europepmc.query: remove FIRST_IDATE: each run sets its own window on it',
      'own-window.yaml: sources.openalex.query: remove from_created_date/to_created_date: each run sets its own window on it',
    ]);
    expect(() => loadProtocol(variant('own-crdt', (d) => (d.sources.pubmed.query = 'naloxone[tiab] AND 2021/01/01:2021/12/31[crdt]')), dir)).toThrow(
      'own-crdt.yaml: sources.pubmed.query: remove the create or entry date ([crdt], [edat])',
    );
    // a publication-date limit is the query's own business
    expect(loadProtocol(variant('own-dp', (d) => (d.sources.pubmed.query = 'naloxone[tiab] AND 2010:3000[dp]')), dir).sources.pubmed?.query).toContain('[dp]');
  });

  it('reads a phrase in quotes, as protocols wrote them before terms were checked, as the phrase', () => {
    const p = loadProtocol(variant('quoted', (d) => d.strategy.blocks[0].terms.push('"peer navigator"', '"peer support*"', 'do not resuscitate')), dir);
    expect(p.strategy.blocks[0]!.terms.slice(-3).map((t) => t.text)).toEqual(['peer navigator', 'peer support*', 'do not resuscitate']);
  });

  it('refuses a block of MeSH headings alone where Crossref, or OpenAlex without its own query, is enabled', () => {
    const edit = (d: Record<string, any>) => d.strategy.blocks.push({ name: 'drugs', mesh: ['Naloxone'] });
    expect(loadProtocol(variant('mesh-pubmed', edit), dir).strategy.blocks).toHaveLength(3);
    const crossref = variant('mesh-crossref', (d) => {
      edit(d);
      d.sources.crossref = { enabled: true };
      d.sources.openalex = { enabled: true };
    });
    expect(() => loadProtocol(crossref, dir)).toThrow(
      'mesh-crossref.yaml: strategy.blocks.2.terms: block "drugs" has only MeSH headings, which openalex and crossref cannot search: add terms',
    );
    const own = variant('mesh-openalex-own', (d) => {
      edit(d);
      d.sources.openalex = { enabled: true, query: 'title_and_abstract.search:naloxone' };
    });
    expect(loadProtocol(own, dir).sources.openalex?.query).toBe('title_and_abstract.search:naloxone');
  });

  it('reads publication types in blocks and not blocks, and a not block\'s unless, leaving them out of protocols without', () => {
    const p = loadProtocol(
      variant('types', (d) => {
        d.strategy.blocks[0].publication_types = ['Randomized Controlled Trial'];
        d.strategy.not = [
          { name: 'opinion', publication_types: ['Editorial', 'Comment', 'Letter'] },
          { name: 'animal studies', mesh: ['Animals'], unless: { mesh: ['Humans'] } },
        ];
      }),
      dir,
    );
    expect(p.strategy.blocks[0]!.publicationTypes).toEqual(['Randomized Controlled Trial']);
    expect(p.strategy.not).toEqual([
      { name: 'opinion', mesh: [], terms: [], publicationTypes: ['Editorial', 'Comment', 'Letter'] },
      { name: 'animal studies', mesh: ['Animals'], terms: [], unless: { mesh: ['Humans'], terms: [] } },
    ]);
    const shippedStrategy = loadProtocol(shipped).strategy;
    expect(shippedStrategy.blocks.every((b) => !('publicationTypes' in b))).toBe(true);
  });

  it('names file and field for a bad publication type, an empty or misplaced unless, and a block of types alone where OpenAlex or Crossref checks', () => {
    const bad = variant('bad-types', (d) => {
      d.strategy.blocks[0].publication_types = ['Randomized Controlled Trial[pt]', 'Review*', 'Editorial OR Letter'];
      d.strategy.blocks[1].unless = { mesh: ['Humans'] };
      d.strategy.not = [{ name: 'animals', mesh: ['Animals'], unless: {} }, { name: 'typo', mesh: ['Animals'], unless: { meshes: ['Humans'] } }];
    });
    const message = loadError(bad);
    expect(message.split('\n')).toEqual([
      'bad-types.yaml: strategy.blocks.0.publication_types.0: "Randomized Controlled Trial[pt]": write the type alone, e.g. Randomized Controlled Trial: each source adds its own field tag',
      'bad-types.yaml: strategy.blocks.0.publication_types.1: "Review*": a publication type is a name as PubMed gives it, e.g. Editorial, without `*` or `/`',
      'bad-types.yaml: strategy.blocks.0.publication_types.2: "Editorial OR Letter": OR inside a type: write each type as its own entry (the types of a block are ORed)',
      'bad-types.yaml: strategy.blocks.1: Unrecognized key: "unless"',
      'bad-types.yaml: strategy.not.0.unless: unless needs terms, mesh or publication_types',
      'bad-types.yaml: strategy.not.1.unless: Unrecognized key: "meshes"',
      'bad-types.yaml: strategy.not.1.unless: unless needs terms, mesh or publication_types',
    ]);
    const typesOnly = variant('types-crossref', (d) => {
      d.strategy.blocks.push({ name: 'design', publication_types: ['Randomized Controlled Trial'] });
      d.sources.crossref = { enabled: true };
    });
    expect(() => loadProtocol(typesOnly, dir)).toThrow(
      'types-crossref.yaml: strategy.blocks.2.terms: block "design" has only publication types, which crossref cannot search: add terms',
    );
  });

  it('names the file for unreadable files and invalid YAML', () => {
    expect(() => loadProtocol(join(dir, 'missing.yaml'), dir)).toThrow('missing.yaml: cannot read protocol file');
    const bad = join(dir, 'broken.yaml');
    writeFileSync(bad, 'id: [unclosed\n');
    expect(() => loadProtocol(bad, dir)).toThrow(/^broken.yaml: invalid YAML/);
  });

  it('refuses two protocols with one id and picks a review by id', () => {
    const a = variant('a', () => {});
    const b = variant('b', () => {});
    expect(() => loadProtocols([a, b])).toThrow(/id: "peer-support-overdose" is already used by/);
    const c = variant('c', (d) => (d.id = 'other-review'));
    const both = loadProtocols([a, c]);
    expect(() => selectProtocol(both)).toThrow('--review is required when several protocols are configured');
    expect(selectProtocol(both, 'other-review').id).toBe('other-review');
    expect(() => selectProtocol(both, 'nope')).toThrow('--review: no protocol with id "nope"');
  });
});

describe('environment', () => {
  it('applies the contract defaults', () => {
    const env = loadEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.LR_DATA_DIR).toBe('./data');
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(env.MAIL_FROM).toBe('living-review <noreply@localhost>');
    expect(env.PUBLIC_URL).toBe('http://localhost:3000');
    expect(env.EUTILS_BASE_URL).toBe('https://eutils.ncbi.nlm.nih.gov/entrez/eutils');
    expect(env.NCBI_TOOL).toBe('living-review');
    expect(env.LOG_LEVEL).toBe('info');
  });

  it('takes an empty variable as unset, and a log level in any case', () => {
    const env = loadEnv({ PUBLIC_URL: '', REDIS_URL: '', LR_DATA_DIR: '', LOG_LEVEL: '', QUEUE_PREFIX: '' });
    expect([env.PUBLIC_URL, env.REDIS_URL, env.LR_DATA_DIR, env.LOG_LEVEL, env.QUEUE_PREFIX]).toEqual(['http://localhost:3000', 'redis://127.0.0.1:6379', './data', 'info', 'living-review']);
    expect(loadEnv({ LOG_LEVEL: 'DEBUG' }).LOG_LEVEL).toBe('debug');
  });

  it('wants http(s) for the address in emails and the API bases', () => {
    for (const bad of ['review.example.org:3000', 'javascript:alert(1)', 'ftp://review.example.org']) {
      expect(() => loadEnv({ PUBLIC_URL: bad })).toThrow('environment: PUBLIC_URL: expected an http(s) URL (https://review.example.org)');
    }
    expect(() => loadEnv({ EUTILS_BASE_URL: 'eutils.ncbi.nlm.nih.gov' })).toThrow(/EUTILS_BASE_URL: expected an http\(s\) URL/);
    expect(loadEnv({ PUBLIC_URL: 'https://review.example.org/lr/' }).PUBLIC_URL).toBe('https://review.example.org/lr/');
  });

  it('wants a scheme its client speaks for Postgres, Redis and SMTP, naming the variable and the schemes', () => {
    const refused = (vars: Record<string, string>) => {
      try {
        loadEnv(vars);
      } catch (err) {
        return (err as Error).message;
      }
      throw new Error(`accepted ${JSON.stringify(vars)}`);
    };
    expect(refused({ REDIS_URL: 'http://127.0.0.1:6379' })).toBe('environment: REDIS_URL: expected a redis:// or rediss:// URL (redis://host:6379)');
    expect(refused({ DATABASE_URL: 'mysql://u@db/living' })).toBe('environment: DATABASE_URL: expected a postgres:// or postgresql:// URL (postgres://user@host:5432/db)');
    expect(refused({ SMTP_URL: 'https://mail.example.org' })).toBe('environment: SMTP_URL: expected a smtp:// or smtps:// URL (smtp://user:pass@host:587)');
    const env = loadEnv({ REDIS_URL: 'rediss://cache:6380', DATABASE_URL: 'postgresql://u@db/living', SMTP_URL: 'smtps://u:p@mail:465' });
    expect([env.REDIS_URL, env.DATABASE_URL, env.SMTP_URL]).toEqual(['rediss://cache:6380', 'postgresql://u@db/living', 'smtps://u:p@mail:465']);
    expect(loadEnv({ DATABASE_URL: 'postgres://u@db/living', SMTP_URL: 'smtp://mail:587', REDIS_URL: 'redis://r:6379' }).REDIS_URL).toBe('redis://r:6379');
    expect(loadEnv({ DATABASE_URL: 'socket:/run/postgresql?db=living' }).DATABASE_URL).toBe('socket:/run/postgresql?db=living');
  });

  it('names each bad variable', () => {
    expect(() => loadEnv({ DATABASE_URL: 'not a url', LOG_LEVEL: 'loud' })).toThrow(
      /environment: DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL.*environment: LOG_LEVEL/,
    );
  });
});
