import type { Page } from 'playwright-core';

/**
 * What a screen reader or keyboard user needs of a page, checked in the rendered DOM (a hand-made
 * subset of axe's rules): the language, a title, one h1 and no skipped heading level, a label on
 * every field, a name on every button and link, and WCAG AA contrast (4.5:1, 3:1 for large text)
 * for every piece of text against the backgrounds it is drawn on, translucent ones blended. Plain
 * JavaScript, as it runs in the page (the project compiles without the DOM's types).
 */
const AUDIT = `(() => {
  const parse = (c) => {
    const [r = 0, g = 0, b = 0, a = 1] = c.replace(/^rgba?\\(|\\)$/g, '').split(/[\\s,/]+/).filter(Boolean).map(Number);
    return [r, g, b, a];
  };
  const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
  const lum = (c) => {
    const [r, g, b] = c.slice(0, 3).map((v) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] === 1) break;
    }
    return layers.reverse().reduce((bg, layer) => over(layer, bg), [255, 255, 255, 1]);
  };
  const problems = [];
  const describe = (el) => '<' + el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + '> "' + (el.textContent || '').trim().slice(0, 40) + '"';
  if (document.documentElement.lang !== 'en') problems.push('html lang is "' + document.documentElement.lang + '"');
  if (!document.title.trim()) problems.push('no title');
  const levels = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map((h) => Number(h.tagName[1]));
  const h1s = levels.filter((l) => l === 1).length;
  if (h1s !== 1) problems.push(h1s + ' h1 headings');
  levels.forEach((l, i) => {
    const before = i === 0 ? 0 : levels[i - 1];
    if (l > before + 1) problems.push('heading h' + l + ' follows h' + before);
  });
  for (const field of document.querySelectorAll('input:not([type=hidden]),select,textarea')) {
    if (!(field.labels && field.labels.length) && !field.getAttribute('aria-label')) problems.push('unlabelled field ' + field.name);
  }
  for (const el of document.querySelectorAll('a,button')) {
    if (!(el.getAttribute('aria-label') || el.textContent || '').trim()) problems.push('unnamed ' + describe(el));
  }
  for (const el of document.body.querySelectorAll('*')) {
    const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!ownText || !el.getClientRects().length || el.closest('select')) continue;
    const style = getComputedStyle(el);
    const bg = background(el);
    const [a, b] = [lum(over(parse(style.color), bg)), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (Number(style.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) problems.push('contrast ' + ratio.toFixed(2) + ':1 for ' + describe(el) + ' at ' + size + 'px');
  }
  return problems;
})()`;

/** The problems the audit finds on the page as it is now; none is `[]`. */
export const audit = (page: Page): Promise<string[]> => page.evaluate(AUDIT) as Promise<string[]>;
