import type { Decision } from '../db/schema/index.js';
import { recordLabel } from '../records/label.js';
import type { Author, NoticeFlags } from '../records/types.js';
import { html, raw, type Raw } from '../web/html.js';

/** One record as a digest lists it, with its signed action links. */
export interface DigestRecord {
  workId: number;
  title: string;
  authors: Author[];
  journal: string | null;
  year: number | null;
  pmid: string | null;
  doi: string | null;
  abstract: string | null;
  /** Notices and preprints are labelled as such (`recordLabel`). */
  flags: NoticeFlags;
  kind: string | null;
  links: Record<Decision, string>;
}

export interface DigestModel {
  review: { id: string; title: string };
  reviewer: { name: string; email: string; role: 'reviewer' | 'maintainer' };
  /** The scheduled tick the digest belongs to. */
  period: Date;
  timeZone: string;
  records: DigestRecord[];
  /** Records waiting for this reviewer beyond those listed (the digest lists at most a page). */
  more: number;
  /** Nothing new arrived: the records listed were announced before and still wait, sent again before their links expire. */
  reminder?: boolean;
  /** New works per source from the runs finished since the reviewer's last digest (the previous tick for a first). */
  newBySource: { source: string; newWorks: number }[];
  conflicts: number;
  queueUrl: string;
  unsubscribeUrl: string;
  /** Maintainers only. */
  conflictsUrl?: string;
  /** Maintainers only: works of the review a retraction or correction has reached. */
  flagged?: { workId: number; title: string; status: string; note: string }[];
}

export interface RenderedDigest {
  subject: string;
  text: string;
  html: string;
}

const ACTION_LABEL: Record<Decision, string> = { include: 'Include', exclude: 'Exclude', maybe: 'Maybe' };
const ACTION_COLOUR: Record<Decision, string> = { include: '#1a7f37', exclude: '#b42318', maybe: '#8a6100' };

/** "Smith AB, Jones C, Lee D et al." — first three authors. */
export function authorLine(authors: readonly Author[]): string {
  const names = authors.slice(0, 3).map((a) => (a.collective || !a.initials ? a.family : `${a.family} ${a.initials}`));
  return names.join(', ') + (authors.length > 3 ? ' et al.' : '');
}

export function pubmedUrl(pmid: string | null): string | null {
  return pmid && /^\d+$/.test(pmid) ? `https://pubmed.ncbi.nlm.nih.gov/${pmid}/` : null;
}

export function doiUrl(doi: string | null): string | null {
  return doi ? `https://doi.org/${doi.split('/').map(encodeURIComponent).join('/')}` : null;
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/**
 * The first lines of an abstract: at most `max` characters as a reader counts them (graphemes, so
 * an emoji, a surrogate pair or a letter with its accent is never split), cut at a word when one
 * ends in the last 40%; text without spaces (Chinese, Japanese) is cut at the limit.
 */
export function abstractLead(text: string | null, max = 320): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  let end: number | undefined;
  let n = 0;
  for (const { index } of graphemes.segment(flat)) {
    if (n++ === max) {
      end = index;
      break;
    }
  }
  if (end === undefined) return flat;
  const cut = flat.slice(0, end);
  const space = cut.lastIndexOf(' ');
  return (space >= cut.length * 0.6 ? cut.slice(0, space) : cut).trimEnd() + '…';
}

/** Header values must be one line whatever a record or protocol contains. */
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** With nothing new to screen, a maintainer's subject names what waits for them instead. */
function toCheck(m: DigestModel): string | undefined {
  if (m.reviewer.role !== 'maintainer') return undefined;
  const parts = [m.conflicts ? count(m.conflicts, 'conflict') : '', m.flagged?.length ? count(m.flagged.length, 'flagged study', 'flagged studies') : ''].filter(Boolean);
  return parts.length ? `${parts.join(' and ')} to check` : undefined;
}

export function digestSubject(m: DigestModel): string {
  const n = m.records.length + m.more;
  const what = n === 0 ? (toCheck(m) ?? 'Nothing new to screen') : m.reminder ? `${count(n, 'record')} still waiting for you` : `${count(n, 'new record')} to screen`;
  return oneLine(`${what}: ${m.review.title}`);
}

function periodLabel(m: DigestModel): string {
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: m.timeZone }).format(m.period);
}

function summaryLine(m: DigestModel): string {
  const sources = m.newBySource.filter((s) => s.newWorks > 0);
  const found = sources.length ? sources.map((s) => `${s.source} ${s.newWorks}`).join(', ') : 'none';
  return `New records this period: ${found}. Conflicts waiting for a maintainer: ${m.conflicts}.`;
}

const REMINDER = 'Nothing new arrived, but these records are still waiting for you. The links below are new: those of earlier digests expire soon.';

const FLAGGED_INTRO = 'Works of the review a retraction or correction has reached (check that its findings still hold):';
const flaggedLine = (f: NonNullable<DigestModel['flagged']>[number]) => `work ${f.workId} (${f.status}) ${oneLine(f.title)}: ${oneLine(f.note)}`;

function citation(r: DigestRecord): string {
  return [r.journal, r.year].filter((v) => v !== null && v !== '').join(', ');
}

export function renderText(m: DigestModel): string {
  const lines = [digestSubject(m), `Digest of ${periodLabel(m)} for ${oneLine(m.reviewer.name)}`, '', summaryLine(m), ''];
  if (m.flagged?.length) lines.push(FLAGGED_INTRO, ...m.flagged.map((f) => `- ${flaggedLine(f)}`), '');
  if (m.records.length === 0) lines.push('No new records need your decision this period.', '');
  if (m.reminder) lines.push(REMINDER, '');
  m.records.forEach((r, i) => {
    const label = recordLabel(r.flags, r.kind);
    lines.push(`${i + 1}. ${label ? `[${label}] ` : ''}${oneLine(r.title)}`);
    // "et al." already ends in a full stop.
    const by = [authorLine(r.authors).replace(/\.$/, ''), citation(r)].filter(Boolean).join('. ');
    if (by) lines.push(`   ${oneLine(by)}`);
    const pm = pubmedUrl(r.pmid);
    const doi = doiUrl(r.doi);
    if (pm) lines.push(`   PMID ${r.pmid}: ${pm}`);
    if (doi) lines.push(`   DOI ${oneLine(r.doi!)}: ${doi}`);
    const lead = abstractLead(r.abstract);
    if (lead) lines.push(`   ${lead}`);
    for (const a of ['include', 'exclude', 'maybe'] as const) lines.push(`   ${ACTION_LABEL[a]}: ${r.links[a]}`);
    lines.push('');
  });
  if (m.more > 0) lines.push(`${m.more} more record(s) wait in your queue.`);
  lines.push(`Your screening queue: ${m.queueUrl}`);
  if (m.conflictsUrl) lines.push(`Conflicts and delivery problems: ${m.conflictsUrl}`);
  lines.push('', `You receive this as a ${m.reviewer.role} of "${oneLine(m.review.title)}".`, `Unsubscribe: ${m.unsubscribeUrl}`);
  return lines.join('\n') + '\n';
}

const FONT = 'font-family:Arial,Helvetica,sans-serif;';

// The font comes from the record's cell: repeated on 150 buttons it cost 5.7 KB of the HTML budget.
// Screen readers list links out of context: "Include" fifty times tells nothing, so each names
// the record's number, the one its heading starts with.
function button(label: string, n: number, href: string, colour: string): Raw {
  return html`<a href="${href}" aria-label="${label} record ${n}" style="display:inline-block;padding:6px 14px;margin:0 6px 0 0;border-radius:4px;background-color:${colour};color:#ffffff;text-decoration:none;font-size:14px;font-weight:bold;">${label}</a>`;
}

function recordRow(r: DigestRecord, i: number): Raw {
  const pm = pubmedUrl(r.pmid);
  const doi = doiUrl(r.doi);
  const ids: Raw[] = [];
  if (pm) ids.push(html`<a href="${pm}" style="color:#0b57d0;">PMID ${r.pmid}</a>`);
  if (doi) ids.push(html`<a href="${doi}" style="color:#0b57d0;">DOI ${r.doi}</a>`);
  const by = authorLine(r.authors);
  const cite = citation(r);
  const lead = abstractLead(r.abstract);
  const label = recordLabel(r.flags, r.kind);
  return html`<tr><td style="${FONT}padding:16px 0;border-top:1px solid #e3e3e3;">
<h2 style="${FONT}font-size:16px;font-weight:bold;color:#1f1f1f;line-height:1.3;margin:0;">${i + 1}. ${label ? html`<span style="font-size:12px;font-weight:bold;color:#8a1c1c;background-color:#fdecea;border-radius:3px;padding:1px 6px;">${label}</span> ` : ''}${r.title}</h2>
${by ? html`<div style="font-size:13px;color:#444444;padding-top:4px;">${by}</div>` : ''}
${cite ? html`<div style="font-size:13px;color:#444444;font-style:italic;">${cite}</div>` : ''}
${ids.length ? html`<div style="font-size:13px;padding-top:4px;">${ids.map((x, k) => (k ? [raw(' &middot; '), x] : x))}</div>` : ''}
${lead ? html`<div style="font-size:13px;color:#333333;line-height:1.45;padding-top:6px;">${lead}</div>` : ''}
<div style="padding-top:10px;">${(['include', 'exclude', 'maybe'] as const).map((a) => button(ACTION_LABEL[a], i + 1, r.links[a], ACTION_COLOUR[a]))}</div>
</td></tr>`;
}

/**
 * Gmail shows an HTML part of more than about 102 KB only up to that point, behind "[Message
 * clipped] View entire message", and the footer with the queue and unsubscribe links goes with it.
 * The HTML part lists as many records as keep it within this many bytes (quoted-printable adds
 * about 6% on the wire for English text); the others are counted with those waiting in the queue.
 * The text part lists every record.
 */
export const HTML_BUDGET = 90_000;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export function renderHtml(m: DigestModel): string {
  const rows = m.records.map(recordRow);
  // The frame with every record left out is the largest it can be (its count has the most digits).
  let used = bytes(htmlFrame(m, [], m.records.length));
  const shown = rows.findIndex((row) => (used += bytes(row.html)) > HTML_BUDGET);
  const fit = shown === -1 ? rows.length : shown;
  return htmlFrame(m, rows.slice(0, fit), m.records.length - fit);
}

/** The HTML part around the record rows; `omitted` records of the digest did not fit. */
function htmlFrame(m: DigestModel, rows: Raw[], omitted: number): string {
  const subject = digestSubject(m);
  const more = m.more + omitted;
  const body = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${subject}</title></head>
<body style="margin:0;padding:0;background:#f4f4f4;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f4f4f4;"><tr><td align="center" style="padding:16px 8px;">
<table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:640px;background:#ffffff;border-radius:6px;">
<tr><td style="${FONT}padding:20px 24px 8px 24px;">
<div style="font-size:12px;color:#666666;text-transform:uppercase;letter-spacing:0.5px;">Living review digest &middot; ${periodLabel(m)}</div>
<h1 style="${FONT}font-size:20px;line-height:1.3;color:#1f1f1f;margin:6px 0 8px 0;">${subject}</h1>
<p style="${FONT}font-size:14px;color:#333333;margin:0 0 4px 0;">${summaryLine(m)}</p>
${m.flagged?.length ? html`<p style="${FONT}font-size:14px;color:#8a1c1c;margin:8px 0 4px 0;">${FLAGGED_INTRO}</p><ul style="${FONT}font-size:14px;color:#333333;margin:0 0 4px 0;">${m.flagged.map((f) => html`<li>${flaggedLine(f)}</li>`)}</ul>` : ''}
</td></tr>
${m.reminder ? html`<tr><td style="${FONT}font-size:14px;color:#333333;padding:8px 24px 0 24px;">${REMINDER}</td></tr>` : ''}
<tr><td style="padding:0 24px;"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">
${m.records.length ? rows : html`<tr><td style="${FONT}font-size:14px;color:#333333;padding:16px 0;">No new records need your decision this period.</td></tr>`}
</table></td></tr>
<tr><td style="${FONT}font-size:14px;padding:16px 24px;border-top:1px solid #e3e3e3;">
${more > 0 ? html`<p style="margin:0 0 8px 0;">${more} more record(s) wait in your queue.</p>` : ''}
<a href="${m.queueUrl}" style="color:#0b57d0;font-weight:bold;">Open your screening queue</a>
${m.conflictsUrl ? html` &middot; <a href="${m.conflictsUrl}" style="color:#0b57d0;">Conflicts and delivery problems</a>` : ''}
</td></tr>
<tr><td style="${FONT}font-size:12px;color:#666666;padding:12px 24px 20px 24px;">
You receive this as a ${m.reviewer.role} of &ldquo;${m.review.title}&rdquo;. <a href="${m.unsubscribeUrl}" style="color:#666666;">Unsubscribe</a>
</td></tr>
</table></td></tr></table>
</body></html>
`;
  return body.html;
}

export function renderDigest(m: DigestModel): RenderedDigest {
  return { subject: digestSubject(m), text: renderText(m), html: renderHtml(m) };
}
