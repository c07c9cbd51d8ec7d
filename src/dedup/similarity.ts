// String similarities used by the matcher. Titles use character trigrams (the same idea as
// Postgres pg_trgm, so a DB layer can pre-select candidates with `similarity()` and confirm here).

const BASE = 37;

function code(ch: number): number {
  if (ch >= 97 && ch <= 122) return ch - 96; // a-z → 1..26
  if (ch >= 48 && ch <= 57) return ch - 21; // 0-9 → 27..36
  return 0; // space
}

/** Sorted, de-duplicated trigram codes of a normalised (a-z0-9 and spaces) string. */
export function trigrams(text: string): Uint32Array {
  if (!text) return new Uint32Array(0);
  const s = `  ${text} `;
  const set = new Set<number>();
  for (let i = 0; i + 2 < s.length; i++) {
    set.add((code(s.charCodeAt(i)) * BASE + code(s.charCodeAt(i + 1))) * BASE + code(s.charCodeAt(i + 2)));
  }
  return Uint32Array.from(set).sort();
}

function overlap(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      n++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return n;
}

/** Dice coefficient of two trigram sets, 0..1. */
export function dice(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  return (2 * overlap(a, b)) / (a.length + b.length);
}

/** Share of the smaller set found in the larger: 1 when one title is a truncation of the other. */
export function containment(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  return overlap(a, b) / Math.min(a.length, b.length);
}

/** True when the shorter token list abbreviates the longer in order ("j clin oncol" ~ "journal clinical oncology"). */
export function abbreviates(shortTokens: string[], longTokens: string[]): boolean {
  if (shortTokens.length === 0 || shortTokens.length > longTokens.length) return false;
  let j = 0;
  for (const s of shortTokens) {
    while (j < longTokens.length && !longTokens[j]!.startsWith(s)) j++;
    if (j === longTokens.length) return false;
    j++;
  }
  return longTokens[0]!.startsWith(shortTokens[0]!);
}

/** True when x and y differ by at most one substitution, insertion, deletion or adjacent swap. */
export function withinOneEdit(x: string, y: string): boolean {
  if (Math.abs(x.length - y.length) > 1) return false;
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  if (i === x.length || i === y.length) return true; // one is the other plus at most one trailing char
  const tail = (dx: number, dy: number) => x.slice(i + dx) === y.slice(i + dy);
  if (x.length === y.length) return tail(1, 1) || (x[i] === y[i + 1] && x[i + 1] === y[i] && tail(2, 2));
  return x.length > y.length ? tail(1, 0) : tail(0, 1);
}
