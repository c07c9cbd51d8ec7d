import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { CronExpressionParser } from 'cron-parser';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { scheduleProblem } from './time-zone.js';
import { normalizeDoi } from '../dedup/normalize.js';
import { isCalendarDay } from '../runs/window.js';
import { medlineCode } from '../strategy/languages.js';
import { meshProblem, publicationTypeProblem, termProblem } from '../strategy/check.js';
import { indexingOf } from '../strategy/vocabulary.js';
import { API_SOURCES } from '../sources/types.js';
import { OPENALEX_WINDOW_FILTER } from '../sources/openalex/client.js';

const isoDate = z
  .union([z.string(), z.date()], { error: 'expected a date YYYY-MM-DD' })
  .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
  .refine(isCalendarDay, { message: 'expected a date YYYY-MM-DD' });

const YEAR = 'expected a year such as 2005';
const year = z.number({ error: YEAR }).refine((y) => Number.isInteger(y) && y >= 1000 && y <= 2999, { message: YEAR });

function isCron(v: string): boolean {
  const fields = v.trim().split(/\s+/).length;
  if (fields !== 5 && fields !== 6) return false;
  try {
    CronExpressionParser.parse(v);
    return true;
  } catch {
    return false;
  }
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const cron = z.string().refine(isCron, { error: (issue) => `"${String(issue.input)}" is not a valid cron expression` });

const timeZone = z.string().refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/London' });

const field = z.enum(['tiab', 'title', 'all']);
/** A string whose problem (from `problem`) is reported on its own path. */
const checked = (problem: (text: string) => string | undefined) =>
  z.string().superRefine((v, ctx) => {
    const why = problem(v);
    if (why) ctx.addIssue({ code: 'custom', message: `"${v}": ${why}` });
  });
// A phrase in quotes, as protocols wrote them before terms were checked: every compiler dropped
// the quotes, so they are dropped here and the phrase checked as any other.
const termText = z
  .string()
  .transform((v) => v.trim().replace(/^"([^"]*)"(\*?)$/, '$1$2'))
  .pipe(checked(termProblem));
const term = z.union([termText, z.object({ text: termText, field: field.optional() }).strict()], {
  error: 'expected a term: a word or phrase, or { text, field }',
});
const heading = checked(meshProblem);
/** A heading, exploded to its narrower ones where the source can (PubMed), unless `explode: false`. */
const meshEntry = z.union([heading, z.object({ heading, explode: z.boolean() }).strict()], {
  error: 'expected a MeSH heading, or { heading, explode }',
});
const publicationType = checked(publicationTypeProblem);
/** What a block ORs; the same in a not block's `unless`. */
const alternativesShape = {
  field: field.default('tiab'),
  terms: z.array(term).default([]),
  mesh: z.array(meshEntry).default([]),
  /** As PubMed names them: Randomized Controlled Trial, Editorial. */
  publication_types: z.array(publicationType).default([]),
};
type WrittenAlternatives = z.output<z.ZodObject<typeof alternativesShape>>;
const nonEmpty = (b: WrittenAlternatives) => b.terms.length + b.mesh.length + b.publication_types.length > 0;
const NEEDS = { message: 'a block needs terms, mesh or publication_types' };
/** Written form to ConceptBlock's: keys absent when unused, so older protocols read as before. */
function alternativesOf(b: WrittenAlternatives) {
  const noExplode = b.mesh.flatMap((m) => (typeof m !== 'string' && !m.explode ? [m.heading] : []));
  return {
    mesh: b.mesh.map((m) => (typeof m === 'string' ? m : m.heading)),
    ...(noExplode.length > 0 ? { noExplode } : {}),
    terms: b.terms.map((t) =>
      typeof t === 'string' ? { text: t, field: b.field } : { text: t.text, field: t.field ?? b.field },
    ),
    ...(b.publication_types.length > 0 ? { publicationTypes: b.publication_types } : {}),
  };
}
const block = z
  .object({ name: z.string().min(1), ...alternativesShape })
  .strict()
  .refine(nonEmpty, NEEDS)
  .transform((b) => ({ name: b.name, ...alternativesOf(b) }));
/** A not block; `unless` keeps a record holding one of its alternatives too (animals NOT humans). */
const notBlock = z
  .object({
    name: z.string().min(1),
    ...alternativesShape,
    unless: z
      .object(alternativesShape)
      .strict()
      .refine(nonEmpty, { message: 'unless needs terms, mesh or publication_types' })
      .transform(alternativesOf)
      .optional(),
  })
  .strict()
  .refine(nonEmpty, NEEDS)
  .transform((b) => ({ name: b.name, ...alternativesOf(b), ...(b.unless ? { unless: b.unless } : {}) }));

const sourceSettings = z
  .object({
    enabled: z.boolean().default(false),
    /** A query in the source's own syntax that replaces the compiled strategy. */
    query: z.string().refine((q) => q.trim() !== '', { message: 'an empty query would search everything in the window: remove it to use the strategy' }).optional(),
  })
  .strict();

const sources = z
  .object(Object.fromEntries(API_SOURCES.map((s) => [s, sourceSettings.optional()])) as Record<
    (typeof API_SOURCES)[number],
    z.ZodOptional<typeof sourceSettings>
  >)
  .strict();

const doi = z.string().refine((v) => normalizeDoi(v) !== undefined, { message: 'expected a DOI such as 10.3390/ijerph18062919' });
const pmid = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^\d{1,9}$/.test(v), { message: 'expected a PubMed id: digits only' });

const seed = z
  .object({
    doi: doi.optional(),
    pmid: pmid.optional(),
    title: z.string().optional(),
    note: z.string().optional(),
  })
  .strict()
  .refine((s) => s.doi || s.pmid || s.title, { message: 'a seed needs a doi, pmid or title' });

const email = z.string().regex(/^[^\s@]+@[^\s@]+$/, 'expected an email address');

/** What sets each source's run window, which a query override must leave to the run. */
const WINDOW_IN_QUERY = {
  // Windows are on the create date; a fixed entry-date range closes as surely as a create-date one.
  pubmed: { pattern: /\[(?:crdt|create date|edat|entrez date|entry date)\]/i, name: 'the create or entry date ([crdt], [edat])' },
  europepmc: { pattern: /\bFIRST_IDATE\s*:/i, name: 'FIRST_IDATE' },
  openalex: { pattern: OPENALEX_WINDOW_FILTER, name: 'from_created_date/to_created_date' },
} as const;

export const protocolSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lower-case letters, digits and dashes'),
    title: z.string().min(1),
    citation: z
      .object({
        text: z.string().min(1),
        doi: doi.optional(),
        pmid: pmid.optional(),
        url: z.string().optional(),
      })
      .strict(),
    original_search: z
      .object({
        /** Month or day of the original search: YYYY-MM or YYYY-MM-DD. */
        date: z
          .union([z.string(), z.date()], { error: 'expected YYYY-MM or YYYY-MM-DD' })
          .transform((v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v))
          .refine((v) => isCalendarDay(v) || isCalendarDay(`${v}-01`), { message: 'expected YYYY-MM or YYYY-MM-DD' }),
        databases: z.array(z.string()).default([]),
        years: z.object({ from: z.number().int(), to: z.number().int() }).strict().optional(),
        included: z.number().int().nonnegative().optional(),
      })
      .strict(),
    update_from: isoDate,
    window_overlap_days: z.number().int().min(0).max(365).default(7),
    strategy: z
      .object({
        reconstructed: z.boolean().default(false),
        note: z.string().optional(),
        blocks: z.array(block).min(1),
        /** Left out: (blocks ANDed) NOT (every term, heading and type of these ORed). */
        not: z.array(notBlock).default([]),
        limits: z
          .object({
            // Checked here, not when a source first compiles the strategy mid-cycle.
            languages: z.array(z.string().refine((l) => medlineCode(l) !== undefined, { message: 'expected a language as PubMed names it (english) or its MEDLINE code (eng)' })).default([]),
            years: z
              .object({ from: year.optional(), to: year.optional() })
              .strict()
              .refine((y) => y.from !== undefined || y.to !== undefined, { message: 'give from, to or both (publication years, inclusive)' })
              .refine((y) => y.from === undefined || y.to === undefined || y.from <= y.to, { message: 'from is after to' })
              .optional(),
          })
          .strict()
          .default({ languages: [] }),
      })
      .strict(),
    sources: sources.refine((s) => Object.values(s).some((v) => v?.enabled), {
      message: 'enable at least one source',
    }),
    schedule: z
      .object({ search: cron, digest: cron, timezone: timeZone })
      .strict()
      .superRefine((s, ctx) => {
        // A bad cron or zone has its own error already.
        if (!isTimeZone(s.timezone)) return;
        for (const key of ['search', 'digest'] as const) {
          const problem = isCron(s[key]) ? scheduleProblem(s[key], s.timezone) : undefined;
          if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
        }
      }),
    reviewers: z
      .array(
        z
          .object({
            name: z.string().min(1),
            email,
            role: z.enum(['reviewer', 'maintainer']).default('reviewer'),
          })
          .strict(),
      )
      .default([]),
    screening: z
      .object({
        reviewers_per_record: z.union([z.literal(1), z.literal(2)], { error: 'expected 1 or 2' }).default(1),
        exclusion_reasons: z.array(z.string().trim().min(1, { error: 'an exclusion reason needs some text' })).default([]),
        nothing_new_notes: z.boolean().default(false),
      })
      .strict()
      .default({ reviewers_per_record: 1, exclusion_reasons: [], nothing_new_notes: false }),
    seeds: z.array(seed).default([]),
    /** Papers after the original search that the living search should find: `status` reports which it has. */
    known_relevant: z.array(seed).default([]),
  })
  .strict()
  .superRefine((p, ctx) => {
    // Reviewers are one row per email (case-insensitive): a second entry would silently replace the first.
    const first = new Map<string, number>();
    p.reviewers.forEach((r, i) => {
      const key = r.email.trim().toLowerCase();
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, i);
      else ctx.addIssue({ code: 'custom', path: ['reviewers', i, 'email'], message: `${r.email} is already reviewers.${earlier}` });
    });
    // Crossref always checks records against the strategy, OpenAlex unless its query is the
    // protocol's own; neither has MeSH, so a block of headings alone would reject every record.
    const noMesh = (['openalex', 'crossref'] as const).filter((s) => p.sources[s]?.enabled && !(s === 'openalex' && p.sources[s]?.query));
    if (noMesh.length > 0) {
      p.strategy.blocks.forEach((b, i) => {
        if (b.terms.length === 0) {
          ctx.addIssue({ code: 'custom', path: ['strategy', 'blocks', i, 'terms'], message: `block "${b.name}" has only ${indexingOf(b)}, which ${noMesh.join(' and ')} cannot search: add terms` });
        }
      });
    }
    // `screen --reason` reads a reason in any case and spacing: two that differ only so are one.
    const reasons = new Map<string, number>();
    p.screening.exclusion_reasons.forEach((r, i) => {
      const key = r.replace(/\s+/g, ' ').toLowerCase();
      const earlier = reasons.get(key);
      if (earlier === undefined) reasons.set(key, i);
      else ctx.addIssue({ code: 'custom', path: ['screening', 'exclusion_reasons', i], message: `"${r}" is already screening.exclusion_reasons.${earlier}` });
    });
    // Each run sets the window itself; an override setting it too would AND a fixed window with
    // every later one and find nothing once they no longer overlap.
    for (const [source, own] of Object.entries(WINDOW_IN_QUERY)) {
      const query = p.sources[source as keyof typeof WINDOW_IN_QUERY]?.query;
      if (query && own.pattern.test(query)) {
        ctx.addIssue({ code: 'custom', path: ['sources', source, 'query'], message: `remove ${own.name}: each run sets its own window on it` });
      }
    }
    if (p.screening.reviewers_per_record === 2 && first.size < 2) {
      ctx.addIssue({ code: 'custom', path: ['screening', 'reviewers_per_record'], message: `2 reviewers per record needs at least 2 reviewers; the protocol names ${first.size}` });
    }
  });

export type Protocol = z.infer<typeof protocolSchema> & {
  /** The file the protocol was read from, for messages. */
  file: string;
};

/**
 * A union's issues as those of the one form the value was written in: a term written as
 * { text, field } with a bad field is told about the field, not "expected a term".
 */
function expand(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const written = issue.errors.filter((branch) => branch.some((i) => !(i.code === 'invalid_type' && i.path.length === 0)));
  if (written.length !== 1) return [issue];
  return written[0]!.flatMap((i) => expand({ ...i, path: [...issue.path, ...i.path] }));
}

function describe(file: string, issues: z.core.$ZodIssue[]): string {
  return issues
    .flatMap(expand)
    .map((i) => `${file}: ${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`)
    .join('\n');
}

/** Parses and validates one protocol file; errors name the file and the field. */
export function loadProtocol(path: string, cwd = process.cwd()): Protocol {
  // Relative to where the command runs when inside it, else as given (not ../../etc/x.yaml).
  const inside = relative(cwd, resolve(path));
  const shown = inside && !inside.startsWith('..') ? inside : path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`${shown}: cannot read protocol file (${(err as Error).message})`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`${shown}: invalid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  }
  const parsed = protocolSchema.safeParse(doc.toJS());
  if (!parsed.success) throw new ConfigError(describe(shown, parsed.error.issues));
  return { ...parsed.data, file: shown };
}

/** Protocol files: REVIEW_CONFIG (comma-separated) or every config/reviews/*.yaml. */
export function protocolPaths(reviewConfig: string | undefined, root: string): string[] {
  if (reviewConfig) return reviewConfig.split(',').map((p) => p.trim()).filter(Boolean);
  const dir = join(root, 'config', 'reviews');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort()
    .map((f) => join(dir, f));
}

export function loadProtocols(paths: string[]): Protocol[] {
  const protocols = paths.map((p) => loadProtocol(p));
  const seen = new Map<string, string>();
  for (const p of protocols) {
    const other = seen.get(p.id);
    if (other) throw new ConfigError(`${p.file}: id: "${p.id}" is already used by ${other}`);
    seen.set(p.id, p.file);
  }
  return protocols;
}

/** Picks the protocol for `--review`, or the only one configured. */
export function selectProtocol(protocols: Protocol[], id?: string): Protocol {
  if (id) {
    const found = protocols.find((p) => p.id === id);
    if (!found) {
      throw new ConfigError(
        `--review: no protocol with id "${id}" (configured: ${protocols.map((p) => p.id).join(', ') || 'none'})`,
      );
    }
    return found;
  }
  if (protocols.length === 1) return protocols[0]!;
  if (protocols.length === 0) throw new ConfigError('no protocol configured: add config/reviews/<id>.yaml or set REVIEW_CONFIG');
  throw new ConfigError(
    `--review is required when several protocols are configured (${protocols.map((p) => p.id).join(', ')})`,
  );
}
