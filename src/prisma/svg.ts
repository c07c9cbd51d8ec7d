import { sourceLabel } from '../sources/types.js';
import type { PrismaCounts } from './counts.js';

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

interface Box {
  x: number;
  y: number;
  w: number;
  lines: string[];
}

const LINE = 18;

function box(b: Box): string {
  const h = b.lines.length * LINE + 16;
  const text = b.lines
    .map((l, i) => `<text x="${b.x + 10}" y="${b.y + 22 + i * LINE}">${esc(l)}</text>`)
    .join('');
  return `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${h}" rx="4" fill="#fff" stroke="#333"/>${text}`;
}

function arrow(x1: number, y1: number, x2: number, y2: number): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#333" marker-end="url(#a)"/>`;
}

/**
 * A PRISMA 2020 flow diagram for an updated review (previous studies + new searches of databases),
 * laid out as the template's left column: identification, screening, included.
 */
export function renderPrismaSvg(title: string, previous: number | null, c: PrismaCounts): string {
  const sources = Object.entries(c.identified);
  const identifiedTotal = sources.reduce((n, [, v]) => n + v, 0);
  const left = 20;
  const right = 440;
  const w = 380;
  const parts: string[] = [];
  const idLines = [`Records identified from databases (n = ${identifiedTotal}):`, ...sources.map(([s, n]) => `  ${sourceLabel(s)} (n = ${n})`)];
  parts.push(box({ x: left, y: 60, w, lines: idLines }));
  const idBottom = 60 + idLines.length * LINE + 16;
  parts.push(
    box({ x: right, y: 60, w, lines: ['Records removed before screening:', `  Duplicate records (n = ${c.duplicatesRemoved})`, `  Not retrieved from the source (n = ${c.notRetrieved})`] }),
  );
  parts.push(arrow(left + w, 90, right, 90));
  const screenY = idBottom + 40;
  parts.push(arrow(left + w / 2, idBottom, left + w / 2, screenY));
  parts.push(box({ x: left, y: screenY, w, lines: [`Records screened (n = ${c.screened})`] }));
  parts.push(box({ x: right, y: screenY, w, lines: [`Records excluded (n = ${c.excluded})`, `Awaiting screening or in conflict (n = ${c.awaiting})`] }));
  parts.push(arrow(left + w, screenY + 20, right, screenY + 20));
  const newY = screenY + 110;
  parts.push(arrow(left + w / 2, screenY + 34, left + w / 2, newY));
  parts.push(box({ x: left, y: newY, w, lines: [`New studies included (n = ${c.included})`] }));
  const totalY = newY + 90;
  parts.push(arrow(left + w / 2, newY + 34, left + w / 2, totalY));
  const prev = previous ?? 0;
  parts.push(box({ x: left, y: totalY, w, lines: [`Total studies included in review (n = ${prev + c.included})`] }));
  parts.push(box({ x: right, y: totalY, w, lines: [`Studies included in previous version (n = ${previous ?? 'unknown'})`] }));
  parts.push(arrow(right, totalY + 20, left + w, totalY + 20));
  const height = totalY + 70;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="840" height="${height}" font-family="Arial, sans-serif" font-size="13">` +
    `<defs><marker id="a" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#333"/></marker></defs>` +
    `<text x="${left}" y="30" font-size="15" font-weight="bold">${esc(title)}</text>` +
    parts.join('') +
    `</svg>\n`
  );
}
