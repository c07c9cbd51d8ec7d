import { describe, expect, it } from 'vitest';
import { NO_FLAGS } from '../../src/records/types.js';
import { workCard } from '../../src/web/pages.js';
import addressparser from 'nodemailer/lib/addressparser';
import { mailbox } from '../../src/digest/outbox.js';
import { HTML_BUDGET, abstractLead, authorLine, doiUrl, renderDigest, type DigestModel, type DigestRecord } from '../../src/digest/render.js';

const evil = '<script>alert(1)</script>';
const record = (over: Partial<DigestRecord> = {}): DigestRecord => ({
  workId: 1,
  title: `Peer naloxone ${evil} & "quotes"`,
  authors: [
    { family: 'Smith', initials: 'AB' },
    { family: 'Jones', initials: 'C' },
    { family: 'Drug Users Union', collective: true },
    { family: 'Fourth', initials: 'D' },
  ],
  journal: 'Harm Reduct J </td>',
  year: 2025,
  pmid: '12345678',
  doi: '10.1186/s12954-025-0001-x',
  abstract: `Background ${evil}. ` + 'word '.repeat(200),
  flags: NO_FLAGS,
  kind: null,
  links: {
    include: 'https://lr.example.org/a/TOKEN-I',
    exclude: 'https://lr.example.org/a/TOKEN-E',
    maybe: 'https://lr.example.org/a/TOKEN-M',
  },
  ...over,
});

const model = (records: DigestRecord[], over: Partial<DigestModel> = {}): DigestModel => ({
  review: { id: 'r', title: 'Peer support\r\nBcc: x@evil <b>' },
  reviewer: { name: 'Ann Reviewer', email: 'ann@example.org', role: 'reviewer' },
  period: new Date('2026-03-02T08:00:00Z'),
  timeZone: 'Europe/London',
  records,
  more: 0,
  newBySource: [{ source: 'pubmed', newWorks: 3 }],
  conflicts: 2,
  queueUrl: 'https://lr.example.org/q/QUEUE',
  unsubscribeUrl: 'https://lr.example.org/u/UNSUB',
  ...over,
});

describe('digest rendering', () => {
  it('names the first three authors and adds et al.', () => {
    expect(authorLine(record().authors)).toBe('Smith AB, Jones C, Drug Users Union et al.');
    expect(authorLine(record().authors.slice(0, 3))).toBe('Smith AB, Jones C, Drug Users Union');
    expect(authorLine([{ family: 'Solo' }])).toBe('Solo');
    expect(authorLine([])).toBe('');
  });

  it('cuts the abstract at a word', () => {
    const lead = abstractLead('alpha beta gamma delta', 12);
    expect(lead).toBe('alpha beta…');
    expect(abstractLead('short', 12)).toBe('short');
  });

  it('never cuts inside a character, and cuts text without spaces at the limit', () => {
    // An emoji (two UTF-16 units) straddling the limit stays whole or goes whole.
    const emoji = abstractLead('x'.repeat(319) + '😀😀 tail', 320);
    expect(emoji).toBe('x'.repeat(319) + '😀…');
    expect(emoji).not.toContain('\uFFFD');
    expect(emoji).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    // A letter and its combining accent, or a flag, are one character.
    expect(abstractLead('e\u0301'.repeat(10), 4)).toBe('e\u0301'.repeat(4) + '…');
    expect(abstractLead('🇬🇧🇫🇷🇩🇪', 2)).toBe('🇬🇧🇫🇷…');
    // Chinese has no spaces: the lead is the first 320 characters, not the first 192.
    const cjk = '同伴支持纳洛酮分发减少过量死亡'.repeat(40);
    expect(abstractLead(cjk)).toBe(cjk.slice(0, 320) + '…');
    // A space early in the text does not pull the cut back to it.
    expect(abstractLead('结果 ' + cjk)).toBe(('结果 ' + cjk).slice(0, 320) + '…');
  });

  it('puts the count and the review title in a one-line subject', () => {
    const d = renderDigest(model([record(), record({ workId: 2 })]));
    expect(d.subject).toBe('2 new records to screen: Peer support Bcc: x@evil <b>');
    expect(renderDigest(model([])).subject).toBe('Nothing new to screen: Peer support Bcc: x@evil <b>');
    expect(renderDigest(model([record()], { more: 4 })).subject).toMatch(/^5 new records/);
    // A maintainer with nothing to screen hears what waits for them.
    const mia = { name: 'Mia', email: 'mia@example.org', role: 'maintainer' as const };
    const flagged = [{ workId: 9, title: 'T', status: 'included', note: 'retraction-of work 8' }];
    expect(renderDigest(model([], { reviewer: mia, conflicts: 0, flagged })).subject).toBe('1 flagged study to check: Peer support Bcc: x@evil <b>');
    expect(renderDigest(model([], { reviewer: mia, conflicts: 2, flagged })).subject).toMatch(/^2 conflicts and 1 flagged study to check: /);
    expect(renderDigest(model([], { reviewer: mia, conflicts: 0, flagged: [] })).subject).toMatch(/^Nothing new to screen: /);
  });

  it('escapes every record field in the HTML part', () => {
    const { html } = renderDigest(model([record()]));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('</td>"');
    expect(html).toContain('Peer naloxone &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;');
    expect(html).toContain('Harm Reduct J &lt;/td&gt;');
    expect(html).toContain('Peer support\r\nBcc: x@evil &lt;b&gt;');
    // Only the tags the template writes: no script, no event handler attributes.
    expect(html).not.toMatch(/<script|\son\w+=/i);
  });

  it('links identifiers and the three actions in both parts', () => {
    const { html, text } = renderDigest(model([record()]));
    for (const part of [html, text]) {
      expect(part).toContain('https://pubmed.ncbi.nlm.nih.gov/12345678/');
      expect(part).toContain('https://doi.org/10.1186/s12954-025-0001-x');
      for (const t of ['TOKEN-I', 'TOKEN-E', 'TOKEN-M']) expect(part).toContain(`https://lr.example.org/a/${t}`);
      expect(part).toContain('https://lr.example.org/q/QUEUE');
      expect(part).toContain('https://lr.example.org/u/UNSUB');
    }
    expect(html).toMatch(/<a href="https:\/\/lr.example.org\/a\/TOKEN-I"[^>]*>Include<\/a>/);
    expect(text).toMatch(/^ {3}Include: https:\/\/lr.example.org\/a\/TOKEN-I$/m);
  });

  it('gives every coloured label and button its colour as background-color, which Outlook reads where it drops the shorthand', () => {
    const { html } = renderDigest(model([record(), record({ workId: 2, flags: { ...NO_FLAGS, retracted: true } })]));
    const styles = [...html.matchAll(/style="([^"]*)"/g)].map((m) => m[1]!);
    const coloured = styles.filter((st) => /(?:^|;)color:#ffffff/.test(st) || /border-radius:3px/.test(st));
    expect(coloured.length).toBeGreaterThanOrEqual(3);
    // White text on a background only the shorthand set would be white on white there.
    for (const st of coloured) expect(st, st).toMatch(/(?:^|;)background-color:#[0-9a-f]{6};/);
  });

  it('writes a text part that stands on its own', () => {
    const { text } = renderDigest(model([record()]));
    expect(text).toMatch(/^1\. Peer naloxone <script>alert\(1\)<\/script> & "quotes"$/m);
    expect(text).toContain('   Smith AB, Jones C, Drug Users Union et al. Harm Reduct J </td>, 2025');
    expect(text).toContain('New records this period: pubmed 3. Conflicts waiting for a maintainer: 2.');
    expect(text).not.toMatch(/<(table|td|div|a )/);
  });

  it('leaves out identifiers a record lacks and never links a malformed PMID', () => {
    const { html, text } = renderDigest(model([record({ pmid: '123<x>', doi: null })]));
    expect(html).not.toContain('pubmed.ncbi.nlm.nih.gov');
    expect(text).not.toContain('doi.org');
  });

  it('encodes DOI characters that would break a URL', () => {
    expect(doiUrl('10.1002/(sici)1097#x?y')).toBe('https://doi.org/10.1002/(sici)1097%23x%3Fy');
  });

  it('says what a record is when it is a notice or a preprint, not an article', () => {
    const erratum = record({ workId: 2, title: 'Department of Error.', flags: { ...NO_FLAGS, erratum: true } });
    const preprint = record({ workId: 3, title: 'Peer navigators after overdose', kind: 'preprint' });
    const d = renderDigest(model([record(), erratum, preprint]));
    expect(d.text).toContain('2. [Correction notice] Department of Error.\n');
    expect(d.text).toContain('3. [Preprint] Peer navigators after overdose\n');
    expect(d.text).toMatch(/^1\. Peer naloxone/m);
    expect(d.html).toMatch(/>Correction notice<\/span> Department of Error\.<\/h2>/);
    expect(d.html).toMatch(/>Preprint<\/span> Peer navigators/);
    // The triage pages show the same label.
    expect(workCard({ ...erratum, flags: { ...NO_FLAGS, retractionNotice: true } }).html).toContain('<span class="label">Retraction notice</span> Department of Error.');
  });

  it('offers maintainers the conflicts page', () => {
    const m = model([], { reviewer: { name: 'M', email: 'm@x', role: 'maintainer' }, conflictsUrl: 'https://lr.example.org/c/CONF' });
    expect(renderDigest(m).text).toContain('Conflicts and delivery problems: https://lr.example.org/c/CONF');
  });

  it('tells maintainers which works of the review a retraction or correction has reached', () => {
    const flagged = [{ workId: 12, title: `Take-home naloxone ${evil}`, status: 'included', note: 'retraction-of work 45' }];
    const d = renderDigest(model([], { reviewer: { name: 'M', email: 'm@x', role: 'maintainer' }, flagged }));
    expect(d.text).toContain(
      `Works of the review a retraction or correction has reached (check that its findings still hold):\n- work 12 (included) Take-home naloxone ${evil}: retraction-of work 45\n`,
    );
    expect(d.html).toContain('<li>work 12 (included) Take-home naloxone &lt;script&gt;alert(1)&lt;/script&gt;: retraction-of work 45</li>');
    expect(renderDigest(model([])).text).not.toContain('retraction or correction');
  });

  it('keeps a full digest\'s HTML under the size Gmail clips at, footer included, and lists every record in the text part', () => {
    // 50 records as a real page of them looks: long titles, long abstracts, 200-character signed links.
    const token = (i: number, a: string) => `https://living-review.example.org/a/${'T'.repeat(160)}${a}${i}`;
    const records = Array.from({ length: 50 }, (_, i) =>
      record({
        workId: i + 1,
        title: `Record ${i + 1}: peer-delivered naloxone distribution and opioid overdose mortality among people released from prison: a stepped-wedge trial`,
        pmid: String(39000000 + i),
        links: { include: token(i, 'I'), exclude: token(i, 'E'), maybe: token(i, 'M') },
      }),
    );
    const d = renderDigest(model(records, { more: 7 }));
    expect(Buffer.byteLength(d.html)).toBeLessThanOrEqual(HTML_BUDGET);
    const shown = [...d.html.matchAll(/>Include<\/a>/g)].length;
    expect(shown).toBeGreaterThan(20);
    expect(shown).toBeLessThan(50);
    // The ones left out are counted with those waiting in the queue, and the footer is still there.
    expect(d.html).toContain(`${50 - shown + 7} more record(s) wait in your queue.`);
    expect(d.html).toContain(`Record ${shown}: peer`);
    expect(d.html).not.toContain(`Record ${shown + 1}: peer`);
    expect(d.html).toContain('https://lr.example.org/q/QUEUE');
    expect(d.html).toContain('https://lr.example.org/u/UNSUB');
    expect(d.html).toMatch(/<\/html>\n$/);
    for (const i of [1, 50]) expect(d.text).toContain(`Record ${i}: peer`);
    expect(d.text).toContain('7 more record(s) wait in your queue.');
    // A short digest is listed whole.
    expect([...renderDigest(model(records.slice(0, 5))).html.matchAll(/>Include<\/a>/g)]).toHaveLength(5);
  });

  it('keeps the text part\'s lines whole whatever the reviewer\'s name', () => {
    const d = renderDigest(model([], { reviewer: { name: 'Ann\r\nBcc: x', email: 'ann@example.org', role: 'reviewer' } }));
    expect(d.text.split('\n')[1]).toMatch(/ for Ann Bcc: x$/);
  });
});

describe('digest recipient', () => {
  it('sends to the reviewer\'s address whatever quotes or backslashes the name holds', () => {
    for (const name of ['Ann \\', 'Ann\\" <attacker@evil.com>, \\', 'O"Brien, Ann', 'Ann <a@b>', '']) {
      const [parsed, ...rest] = addressparser(mailbox(name, 'ann@example.org')) as Array<{ address: string }>;
      expect(rest).toEqual([]);
      expect(parsed!.address).toBe('ann@example.org');
    }
    expect(mailbox('Ann Reviewer', 'ann@example.org')).toBe('"Ann Reviewer" <ann@example.org>');
  });
});
