// The tagged-line grammars of RIS ("TI  - text", records from TY to ER), MEDLINE/nbib ("TI  - text"
// or "PMID- text", 6-space continuation lines, records separated by blank lines) and Web of Science
// plain text ("TI text", 3-space continuation lines, records from PT to ER).

export type TaggedRecord = Map<string, string[]>;

/** MEDLINE tags have two to four characters, padded with spaces to four before the hyphen. */
const MEDLINE_LINE = /^([A-Z][A-Z0-9]{1,3})\s*-(?: (.*)|$)/;
/**
 * A RIS tag is two characters, exactly two spaces, a hyphen and a space (or nothing after the hyphen):
 * "IL - 6 rose" or "HIV - positive" on a wrapped abstract line is text. Some writers use lower case.
 */
const RIS_LINE = /^([A-Za-z][A-Za-z0-9]) {2}-(?: (.*))?\s*$/;
/** Some writers put one space before the hyphen throughout: their files are read by their own rule. */
const RIS_LINE_ONE_SPACE = /^([A-Za-z][A-Za-z0-9]) -(?: (.*))?\s*$/;
const ONE_SPACE_FILE = /^\uFEFF?[Tt][Yy] -(?: |$)/;

const add = (r: TaggedRecord, tag: string, value: string) => {
  const values = r.get(tag) ?? [];
  values.push(value.trim());
  r.set(tag, values);
  return values;
};

/**
 * RIS records. A TY tag starts a record even while the previous one lacks its ER (EndNote and others
 * sometimes omit it); a record still open at the end of the text is refused with the line it started
 * on, since a file cut short looks just like that. Untagged lines outside a record (a database's export
 * header) are skipped, a tag there is refused; inside a record an untagged line continues the last value.
 */
export function parseRis(text: string): TaggedRecord[] {
  const out: TaggedRecord[] = [];
  let current: TaggedRecord | undefined;
  let startLine = 0;
  let last: string[] | undefined;
  const lines = text.split(/\r\n|\n|\r/);
  // The file's first TY line says how its tags are spaced.
  const firstTy = lines.find((l) => /^\uFEFF?[Tt][Yy] {1,2}-/.test(l));
  const tagLine = firstTy && ONE_SPACE_FILE.test(firstTy) ? RIS_LINE_ONE_SPACE : RIS_LINE;
  for (const [i, line] of lines.entries()) {
    const m = tagLine.exec(line);
    const tag = m?.[1]!.toUpperCase();
    if (tag === 'TY') {
      if (current) out.push(current);
      current = new Map();
      startLine = i + 1;
      last = add(current, tag, m![2] ?? '');
    } else if (!current) {
      // A tag here would be a record without its TY: refused rather than lost. A second ER is harmless.
      if (tag && tag !== 'ER') throw new Error(`line ${i + 1}: a ${tag} tag outside a record (a record starts with a TY tag)`);
    } else if (tag === 'ER') {
      out.push(current);
      current = undefined;
      last = undefined;
    } else if (tag) {
      last = add(current, tag, m![2] ?? '');
    } else if (last && line.trim() !== '') {
      // RIS writers often wrap a long abstract unindented.
      last[last.length - 1] = `${last[last.length - 1]} ${line.trim()}`.trim();
    }
  }
  if (current) {
    throw new Error(`the record starting at line ${startLine} has no ER tag before the end of the file (was the file cut short?)`);
  }
  return out;
}

const WOS_LINE = /^([A-Z][A-Z0-9])(?: (.*))?$/;
/** Web of Science tags whose continuation lines are further values (one author, address or reference per line). */
const WOS_LINE_PER_VALUE = new Set(['AU', 'AF', 'BA', 'BF', 'BE', 'CA', 'GP', 'C1', 'C3', 'CR']);

/**
 * Web of Science plain-text records ("FN"/"VR" header, records from PT to ER or the next PT, "EF" at the end).
 * A continuation line is one more value of a list tag (AU, AF, CA, ...) and wrapped text of any
 * other (TI, AB). A record still open at the end is refused, as in RIS: the file was cut short.
 */
export function parseWos(text: string): TaggedRecord[] {
  const out: TaggedRecord[] = [];
  let current: TaggedRecord | undefined;
  let startLine = 0;
  let tag: string | undefined;
  let last: string[] | undefined;
  for (const [i, raw] of text.split(/\r\n|\n|\r/).entries()) {
    const line = i === 0 ? raw.replace(/^\uFEFF/, '') : raw;
    const m = /^ {3}/.test(line) ? null : WOS_LINE.exec(line);
    if (!m) {
      const more = line.trim();
      if (!current || !last || more === '') continue;
      if (WOS_LINE_PER_VALUE.has(tag!)) last.push(more);
      else last[last.length - 1] = `${last[last.length - 1]} ${more}`.trim();
      continue;
    }
    tag = m[1]!;
    if (tag === 'PT') {
      // As a RIS TY does, a PT starts a record even where the previous one lacks its ER.
      if (current) out.push(current);
      current = new Map();
      startLine = i + 1;
    } else if (!current) {
      // The file's header (FN, VR) and end (EF) lie outside records; a field there has no record.
      if (!['FN', 'VR', 'EF', 'ER'].includes(tag)) throw new Error(`line ${i + 1}: a ${tag} field outside a record (a record starts with a PT line)`);
      continue;
    } else if (tag === 'ER') {
      out.push(current);
      current = undefined;
      last = undefined;
      continue;
    }
    last = add(current, tag, m[2] ?? '');
  }
  if (current) {
    throw new Error(`the record starting at line ${startLine} has no ER line before the end of the file (was the file cut short?)`);
  }
  return out;
}

/** MEDLINE/nbib records, separated by blank lines; indented lines continue the last value. */
export function parseMedline(text: string): TaggedRecord[] {
  const out: TaggedRecord[] = [];
  let current: TaggedRecord = new Map();
  let last: string[] | undefined;
  const flush = () => {
    if (current.size) out.push(current);
    current = new Map();
    last = undefined;
  };
  for (const line of text.split(/\r\n|\n|\r/)) {
    const m = MEDLINE_LINE.exec(line);
    if (m) last = add(current, m[1]!, m[2] ?? '');
    else if (line.trim() === '') flush();
    else if (last && /^\s/.test(line)) last[last.length - 1] = `${last[last.length - 1]} ${line.trim()}`.trim();
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
