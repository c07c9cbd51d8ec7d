// The tagged-line grammar shared by RIS ("TI  - text") and MEDLINE/nbib ("TI  - text", with
// 6-space continuation lines). Records are split on RIS "ER" or on blank lines (MEDLINE).

export type TaggedRecord = Map<string, string[]>;

const LINE = /^([A-Z][A-Z0-9]{1,3})\s*-(?: (.*)|$)/;
/** Inside a RIS record tags have two characters: "HIV - positive" on a wrapped line is text. */
const RIS_LINE = /^([A-Z][A-Z0-9])\s+-(?: (.*)|$)/;

export function parseTagged(text: string): TaggedRecord[] {
  const out: TaggedRecord[] = [];
  let current: TaggedRecord = new Map();
  let last: string[] | undefined;
  const flush = () => {
    if (current.size) out.push(current);
    current = new Map();
    last = undefined;
  };
  for (const line of text.split(/\r\n|\n|\r/)) {
    const m = (current.has('TY') ? RIS_LINE : LINE).exec(line);
    if (m) {
      const tag = m[1]!;
      if (tag === 'ER') {
        flush();
        continue;
      }
      const values = current.get(tag) ?? [];
      values.push((m[2] ?? '').trim());
      current.set(tag, values);
      last = values;
    } else if (line.trim() === '') {
      if (!current.has('TY')) flush(); // MEDLINE separates records by blank lines; RIS by ER
    } else if (last && (/^\s/.test(line) || current.has('TY'))) {
      // MEDLINE indents continuation lines; RIS writers often wrap a long abstract unindented.
      last[last.length - 1] = `${last[last.length - 1]} ${line.trim()}`.trim();
    }
  }
  flush();
  return out;
}

export function first(r: TaggedRecord, ...tags: string[]): string | undefined {
  for (const t of tags) {
    const v = r.get(t)?.find((x) => x !== '');
    if (v !== undefined) return v;
  }
  return undefined;
}

export function all(r: TaggedRecord, ...tags: string[]): string[] {
  return tags.flatMap((t) => r.get(t) ?? []).filter((x) => x !== '');
}
