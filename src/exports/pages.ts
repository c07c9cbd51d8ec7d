// 217, e123, S45, xii (roman front matter), 1234.e5 (Elsevier's e-pages).
const PAGE = /^(?:[A-Za-z]{0,3}\d+[A-Za-z]?|[ivxlcdm]+|\d+\.e\d+)$/i;

/**
 * First and last page of a stored page string, the last written out in full as reference managers
 * expect ("217-64" → 217, 264); anything after the range ("; author reply 2243-5") is dropped.
 */
export function pageSpan(raw: string | null | undefined): { first: string; last?: string } | undefined {
  const s = raw?.trim();
  if (!s) return undefined;
  const m = /^([^\s,;–—-]+)\s*[-–—]+\s*([^\s,;]+)/.exec(s);
  // Both ends must look like pages: an article id such as S0002-9165(25)00279-5 is not a range.
  if (!m || !PAGE.test(m[1]!) || !PAGE.test(m[2]!)) return { first: s };
  const [first, short] = [m[1]!, m[2]!];
  const expand = /^\d+$/.test(first) && /^\d+$/.test(short) && short.length < first.length;
  return { first, last: expand ? first.slice(0, first.length - short.length) + short : short };
}
