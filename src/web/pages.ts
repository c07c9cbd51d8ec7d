import { DECISIONS, type Decision, type WorkStatus } from '../db/schema/index.js';
import type { DecisionResult } from '../screening/rules.js';
import { explainReason } from '../dedup/reasons.js';
import { abstractLead, authorLine, doiUrl, pubmedUrl, type DigestRecord } from '../digest/render.js';
import { recordLabel } from '../records/label.js';
import { html, raw, type Raw } from './html.js';

export type WorkView = Omit<DigestRecord, 'links'>;

const LABEL: Record<Decision, string> = { include: 'Include', exclude: 'Exclude', maybe: 'Maybe' };
const KEY: Record<Decision, string> = { include: 'i', exclude: 'e', maybe: 'm' };

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;background:#f4f4f4;color:#1f1f1f}
main{max-width:760px;margin:0 auto;padding:24px 16px}
h1{font-size:22px;margin:0 0 12px}
.card{background:#fff;border-radius:6px;padding:16px 20px;margin:0 0 16px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
.card.current{outline:3px solid #0b57d0}
.title{font-size:17px;font-weight:600;line-height:1.3;margin:0}
.meta{font-size:14px;color:#444;margin-top:4px}
.abstract{font-size:14px;line-height:1.5;color:#333;margin-top:8px}
a{color:#0b57d0}
.actions{margin-top:12px;display:flex;flex-wrap:wrap;gap:8px;align-items:center}
button{font:inherit;font-weight:600;border:0;border-radius:4px;padding:8px 16px;color:#fff;cursor:pointer}
button.include{background:#1a7f37}button.exclude{background:#b42318}button.maybe{background:#8a6100}
label{font-size:13px;color:#444}
select,input[type=text]{font:inherit;font-size:14px;padding:4px;max-width:100%}
.note{font-size:13px;color:#555}
.label{font-size:12px;font-weight:600;color:#8a1c1c;background:#fdecea;border-radius:3px;padding:1px 6px;vertical-align:middle}
.status{display:inline-block;font-size:12px;font-weight:600;text-transform:uppercase;padding:2px 8px;border-radius:10px;background:#e8eaed}
table{border-collapse:collapse;width:100%;font-size:14px}td,th{border-top:1px solid #e3e3e3;padding:6px 4px;text-align:left;vertical-align:top}
kbd{border:1px solid #bbb;border-radius:3px;padding:0 4px;font-size:12px;background:#fafafa;color:#1f1f1f}
button kbd{background:transparent;border-color:#fff;color:#fff}
`;

export function layout(title: string, body: Raw, script?: { nonce: string; code: string }): string {
  return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${title}</title><style>${raw(STYLE)}</style></head>
<body><main>${body}</main>${script ? html`<script nonce="${script.nonce}">${raw(script.code)}</script>` : ''}</body></html>
`.html;
}

export function errorPage(status: number, message: string): string {
  return layout(`Error ${status}`, html`<div class="card"><h1>${status === 410 ? 'This link has expired' : 'This link cannot be used'}</h1><p>${message}</p><p class="note">Nothing was changed. Use the newest digest email or your queue link.</p></div>`);
}

/**
 * A record's title is a heading, so a screen reader can move from record to record; `heading` is
 * its level under the page's sections, `titleId` lets a form take the title as its name.
 */
export function workCard(w: WorkView, opts: { fullAbstract?: boolean; status?: WorkStatus; heading?: 2 | 3; titleId?: string } = {}): Raw {
  const pm = pubmedUrl(w.pmid);
  const doi = doiUrl(w.doi);
  const abstract = opts.fullAbstract ? (w.abstract ?? '') : abstractLead(w.abstract, 600);
  const label = recordLabel(w.flags, w.kind);
  const level = opts.heading ?? 2;
  return html`<h${level} class="title"${opts.titleId ? html` id="${opts.titleId}"` : ''}>${label ? html`<span class="label">${label}</span> ` : ''}${w.title}</h${level}>
<div class="meta">${authorLine(w.authors)}${w.journal ? html` &middot; <i>${w.journal}</i>` : ''}${w.year ? html` &middot; ${w.year}` : ''}${opts.status ? html` &middot; <span class="status">${opts.status}</span>` : ''}</div>
<div class="meta">${pm ? html`<a href="${pm}" rel="noreferrer">PMID ${w.pmid}</a> ` : ''}${doi ? html`<a href="${doi}" rel="noreferrer">DOI ${w.doi}</a>` : ''}</div>
${abstract ? html`<div class="abstract">${abstract}</div>` : ''}`;
}

function reasonFields(reasons: readonly string[], id: string): Raw {
  return html`<label for="rc-${id}">Reason</label>
<select id="rc-${id}" name="reason_code"><option value="">(none)</option>${reasons.map((r) => html`<option value="${r}">${r}</option>`)}</select>
<label for="rt-${id}">Note</label><input type="text" id="rt-${id}" name="reason_text" maxlength="500" placeholder="optional">`;
}

/** GET of an emailed action link: shows the record and a button; only the POST decides. */
export function confirmPage(p: { work: WorkView; action: Decision; reviewerName: string; reasons: readonly string[]; status: WorkStatus; standing: Decision | undefined; makesConflict: boolean; resolved: boolean }): string {
  const before = [
    p.standing === undefined ? '' : p.standing === p.action ? `You decided ${LABEL[p.standing]} already.` : `You decided ${LABEL[p.standing]} before: pressing the button changes it.`,
    p.resolved ? 'A maintainer has resolved this record: your decision will be kept, and their resolution stands.' : '',
    !p.resolved && p.makesConflict ? 'Another reviewer decided otherwise: pressing the button makes this record a conflict for a maintainer to resolve.' : '',
  ].filter(Boolean).map((n) => ` ${n}`).join('');
  return layout(
    `${LABEL[p.action]}: ${p.work.title}`,
    html`<h1>Confirm: ${LABEL[p.action]}</h1>
<div class="card">${workCard(p.work, { fullAbstract: true, status: p.status })}
<form method="post" class="actions">
${p.action === 'include' ? '' : reasonFields(p.reasons, 'c')}
<button type="submit" class="${p.action}">${LABEL[p.action]}</button>
</form>
<p class="note">Screening as ${p.reviewerName}. Nothing is recorded until you press the button.${before}</p></div>`,
  );
}

/**
 * Enter in a form's text field presses its first submit button: in a note field, that decided
 * Include (or the first "Change to") whatever the note said. A disabled first button makes Enter
 * do nothing (HTML's implicit submission stops at a disabled default button), with or without
 * JavaScript; the decision stays with the buttons.
 */
const NO_IMPLICIT_SUBMIT = raw('<button type="submit" disabled hidden aria-hidden="true" tabindex="-1">Enter does not decide</button>');

/**
 * Buttons that change a decision already made, one per other choice. `link`: each button posts to
 * its own signed decision link (a page reached from an email); `button`: each posts its token to
 * the page it is on (the queue, the conflicts page).
 */
function changeForm(p: { current: Decision; tokens: Record<Decision, string>; reasons: readonly string[]; mode: 'link' | 'button'; verb: string; id: string }): Raw {
  const others = DECISIONS.filter((d) => d !== p.current);
  return html`<form method="post" class="actions change">${NO_IMPLICIT_SUBMIT}${others.map((d) =>
    p.mode === 'link'
      ? html`<button type="submit" formaction="${p.tokens[d]}" class="${d}">${p.verb} ${LABEL[d]}</button>`
      : html`<button type="submit" name="t" value="${p.tokens[d]}" class="${d}">${p.verb} ${LABEL[d]}</button>`,
  )}
${reasonFields(p.reasons, p.id)}</form>`;
}

export function decidedPage(p: { work: WorkView; decision: Decision; standing: Decision; result: DecisionResult; status: WorkStatus; resolved: boolean; queueUrl: string; change: Record<Decision, string>; reasons: readonly string[] }): string {
  const notes = [
    p.result === 'replayed' ? 'This link had already been used, so nothing new was recorded.' : '',
    p.result === 'unchanged' ? 'This was already your decision, so nothing new was recorded.' : '',
    p.result === 'replayed' && p.standing !== p.decision ? `Your decision now is ${LABEL[p.standing]}, from a later link.` : '',
    p.resolved ? 'A maintainer has resolved this record; your decision is kept, and their resolution stands.' : '',
  ].filter(Boolean).join(' ');
  const heading = { recorded: `Recorded: ${LABEL[p.decision]}`, replayed: `Already recorded: ${LABEL[p.decision]}`, unchanged: `Already your decision: ${LABEL[p.decision]}` }[p.result];
  return layout(
    p.result === 'replayed' ? 'Link already used' : p.result === 'unchanged' ? 'Decision unchanged' : 'Decision recorded',
    html`<h1>${heading}</h1>
<div class="card">${workCard(p.work, { status: p.status })}
<p class="note">Changed your mind? Your decision now is ${LABEL[p.standing]}.</p>
${changeForm({ current: p.standing, tokens: p.change, reasons: p.reasons, mode: 'link', verb: 'Change to', id: 'd' })}</div>
<p>${notes ? `${notes} ` : ''}<a href="${p.queueUrl}">Open your screening queue</a></p>`,
  );
}

/** The record a page's last answer was about, with buttons to change that answer. */
export interface LastDecided {
  work: WorkView;
  decision: Decision;
  tokens: Record<Decision, string>;
}

function lastDecidedCard(last: LastDecided, reasons: readonly string[], as: 'decision' | 'resolution'): Raw {
  return html`<div class="card last">${workCard(last.work)}
<p class="note">${as === 'decision' ? 'Your decision on this record' : 'Resolved as'}: ${LABEL[last.decision]}. Changed your mind?</p>
${changeForm({ current: last.decision, tokens: last.tokens, reasons, mode: 'button', verb: as === 'decision' ? 'Change to' : 'Resolve again:', id: `last-${last.work.workId}` })}</div>`;
}

export interface QueueItem {
  work: WorkView;
  /** Signed per-button tokens, one per decision. */
  tokens: Record<Decision, string>;
}

const QUEUE_SCRIPT = `
(function(){
  var cards=[].slice.call(document.querySelectorAll('form.item'));
  if(!cards.length)return;
  cards[0].classList.add('current');
  // The keys act on the record the keyboard is in: Tab into a record and it becomes the highlighted one.
  document.addEventListener('focusin',function(ev){
    var form=ev.target&&ev.target.closest&&ev.target.closest('form.item');
    if(!form||form.classList.contains('current'))return;
    cards.forEach(function(c){c.classList.remove('current');});
    form.classList.add('current');
  });
  document.addEventListener('keydown',function(ev){
    if(ev.ctrlKey||ev.metaKey||ev.altKey)return;
    var t=ev.target&&ev.target.tagName;
    if(t==='INPUT'||t==='SELECT'||t==='TEXTAREA')return;
    var form=document.querySelector('form.item.current');
    var button=form&&form.querySelector('button[data-key="'+ev.key+'"]');
    if(!button)return;
    ev.preventDefault();
    form.requestSubmit(button);
  });
})();`;

/** " (the first N are shown)" when a list holds fewer items than wait. */
const firstShown = (shown: number, total: number) => (total > shown ? ` (the first ${shown} are shown; each answer brings the next)` : '');

/** `items` are the first of the `waiting` records, best-ranked first. */
export function queuePage(p: { reviewTitle: string; reviewerName: string; items: QueueItem[]; waiting: number; reasons: readonly string[]; nonce: string; recorded?: string; last?: LastDecided }): string {
  return layout(
    `Screening queue: ${p.reviewTitle}`,
    html`<h1>Your screening queue</h1>
<p class="meta">${p.reviewTitle} &middot; ${p.reviewerName} &middot; ${p.waiting} record(s) waiting${firstShown(p.items.length, p.waiting)}</p>
${p.recorded ? html`<p class="note">${p.recorded}</p>` : ''}
${p.last ? lastDecidedCard(p.last, p.reasons, 'decision') : ''}
<p class="note">Keys: <kbd>i</kbd> include, <kbd>e</kbd> exclude, <kbd>m</kbd> maybe (the highlighted record: the first, or the one you move into with Tab). The buttons work without JavaScript.</p>
${p.items.length === 0 ? html`<div class="card">Nothing waits for your decision.</div>` : ''}
${p.items.map(
  (it) => html`<form method="post" class="card item" aria-labelledby="title-${it.work.workId}">${NO_IMPLICIT_SUBMIT}${workCard(it.work, { titleId: `title-${it.work.workId}` })}
<div class="actions">${(['include', 'exclude', 'maybe'] as const).map(
    (a) => html`<button type="submit" name="t" value="${it.tokens[a]}" class="${a}" data-key="${KEY[a]}">${LABEL[a]} <kbd>${KEY[a]}</kbd></button>`,
  )}</div>
<div class="actions">${reasonFields(p.reasons, String(it.work.workId))}</div></form>`,
)}`,
    { nonce: p.nonce, code: QUEUE_SCRIPT },
  );
}

export interface ConflictItem {
  work: WorkView;
  votes: { reviewer: string; decision: Decision; reason: string | null }[];
  tokens: Record<Decision, string>;
}

/** Two works the deduplicator could not decide on, for a maintainer. */
export interface MatchItem {
  a: WorkView;
  b: WorkView;
  score: number;
  reason: string;
  tokens: Record<'same' | 'different', string>;
}

export interface DigestProblem {
  id: number;
  recipient: string;
  period: string;
  status: string;
  attempts: number;
  lastError: string | null;
  messageId: string;
  /** Buttons for an ambiguous digest: the maintainer found it arrived, or that it did not. */
  tokens?: Record<'arrived' | 'resend', string>;
}

export interface FlaggedWork {
  workId: number;
  title: string;
  status: WorkStatus;
  note: string;
}

export function conflictsPage(p: {
  reviewTitle: string;
  /** The first conflicts and open pairs, and how many there are. */
  items: ConflictItem[];
  conflictCount: number;
  matches: MatchItem[];
  matchCount: number;
  flagged: FlaggedWork[];
  problems: DigestProblem[];
  reasons: readonly string[];
  recorded?: string;
  /** The work the maintainer just resolved, to resolve again after a mis-click. */
  last?: LastDecided;
}): string {
  return layout(
    `Conflicts: ${p.reviewTitle}`,
    html`<h1>Conflicts to resolve</h1>
<p class="meta">${p.reviewTitle} &middot; ${p.conflictCount} conflict(s)${firstShown(p.items.length, p.conflictCount)}</p>
${p.recorded ? html`<p class="note">${p.recorded}</p>` : ''}
${p.last ? lastDecidedCard(p.last, p.reasons, 'resolution') : ''}
${p.items.length === 0 ? html`<div class="card">No conflicts.</div>` : ''}
${p.items.map(
  (it) => html`<form method="post" class="card">${NO_IMPLICIT_SUBMIT}${workCard(it.work, { status: 'conflict' })}
<table><tr><th>Reviewer</th><th>Decision</th><th>Reason</th></tr>${it.votes.map((v) => html`<tr><td>${v.reviewer}</td><td>${LABEL[v.decision]}</td><td>${v.reason ?? ''}</td></tr>`)}</table>
<div class="actions">${(['include', 'exclude', 'maybe'] as const).map((a) => html`<button type="submit" name="t" value="${it.tokens[a]}" class="${a}">Resolve: ${LABEL[a]}</button>`)}</div>
<div class="actions">${reasonFields(p.reasons, String(it.work.workId))}</div></form>`,
)}
<h2>Possible duplicates</h2>
<p class="meta">${p.matchCount} pair(s)${firstShown(p.matches.length, p.matchCount)}. The deduplicator kept these pairs apart because it was not sure. Your answer is remembered: &ldquo;Same work&rdquo; merges them (decisions carry over), &ldquo;Different works&rdquo; never proposes the pair again.</p>
${p.matches.length === 0 ? html`<div class="card">None.</div>` : ''}
${p.matches.map(
  (m) => html`<form method="post" class="card"><input type="hidden" name="kind" value="match">
<p class="meta">${explainReason(m.reason)} <span class="note">(similarity ${m.score.toFixed(2)}, ${m.reason})</span></p>
${workCard(m.a, { heading: 3 })}<hr>${workCard(m.b, { heading: 3 })}
<div class="actions"><button type="submit" name="t" value="${m.tokens.same}" class="include">Same work</button><button type="submit" name="t" value="${m.tokens.different}" class="exclude">Different works</button></div></form>`,
)}
<h2>Retractions and corrections</h2>
<div class="card">${
      p.flagged.length === 0
        ? 'None.'
        : html`<p class="note">A notice found by the searches or an import names these works of the review: check whether the review's findings still hold.</p>
<table><tr><th>Work</th><th>Title</th><th>Status</th><th>Notice</th></tr>${p.flagged.map(
            (f) => html`<tr><td>${f.workId}</td><td>${f.title}</td><td>${f.status}</td><td>${f.note}</td></tr>`,
          )}</table>`
    }</div>
<h2>Digest delivery problems</h2>
<div class="card">${
      p.problems.length === 0
        ? 'None.'
        : html`<p class="note">An <b>ambiguous</b> digest may or may not have reached its reviewer (the connection ended after the message was handed over); it is never resent automatically. Ask the reviewer, or look for its Message-ID in the mail server's log, then say what you found. A <b>failed</b> digest was refused; its records come again in the next digest.</p>
<table><tr><th>Digest</th><th>To</th><th>Period</th><th>Status</th><th>Attempts</th><th>Last error</th><th>Message-ID</th><th></th></tr>${p.problems.map(
            (d) => html`<tr><td>${d.id}</td><td>${d.recipient}</td><td>${d.period}</td><td>${d.status}</td><td>${d.attempts}</td><td>${d.lastError ?? ''}</td><td><code>${d.messageId}</code></td><td>${
              d.tokens
                ? html`<form method="post"><input type="hidden" name="kind" value="delivery"><button type="submit" name="t" value="${d.tokens.arrived}" class="include">It arrived</button><button type="submit" name="t" value="${d.tokens.resend}" class="maybe">It did not: send again</button></form>`
                : ''
            }</td></tr>`,
          )}</table>`
    }</div>`,
  );
}

export function unsubscribePage(p: { reviewTitle: string; email: string; done: boolean }): string {
  return layout(
    'Unsubscribe',
    p.done
      ? html`<h1>Unsubscribed</h1><div class="card">${p.email} will receive no more digests for &ldquo;${p.reviewTitle}&rdquo;.</div>`
      : html`<h1>Unsubscribe?</h1><div class="card"><p>Stop sending digests for &ldquo;${p.reviewTitle}&rdquo; to ${p.email}?</p>
<form method="post"><button type="submit" class="exclude">Unsubscribe</button></form></div>`,
  );
}
