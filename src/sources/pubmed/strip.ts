// Removes blocks we never map from one record's XML before it is SAX-parsed. They are most of the
// bytes of a modern record (a 170 KB record is ~80 % references and affiliations), so skipping
// them is the main reason the parser is fast. Malformed XML inside a dropped block goes unnoticed;
// a missing end tag does not (the block is then kept and saxes reports it).

const UNMAPPED = [
  'ReferenceList', 'AffiliationInfo', 'GrantList', 'ChemicalList', 'SupplMeshList', 'InvestigatorList',
  'DataBankList', 'OtherAbstract', 'Sections', 'CoiStatement', 'GeneSymbolList', 'PersonalNameSubjectList',
];
const BLOCK_START = new RegExp(`<(${UNMAPPED.join('|')})(?=[\\s>/])`, 'g');

export function stripUnmappedBlocks(xml: string): string {
  BLOCK_START.lastIndex = 0;
  let m = BLOCK_START.exec(xml);
  if (!m) return xml;
  const kept: string[] = [];
  let from = 0;
  while (m) {
    const end = blockEnd(xml, m.index, m[1]!);
    if (end < 0) break; // unterminated: leave the rest for saxes to reject
    kept.push(xml.slice(from, m.index));
    from = end;
    BLOCK_START.lastIndex = end;
    m = BLOCK_START.exec(xml);
  }
  kept.push(xml.slice(from));
  return kept.join('');
}

/** Index just after the element starting at `start` (nesting counted: ReferenceList nests). */
function blockEnd(xml: string, start: number, name: string): number {
  const tagEnd = xml.indexOf('>', start);
  if (tagEnd < 0) return -1;
  if (xml.charCodeAt(tagEnd - 1) === 47 /* / */) return tagEnd + 1; // <GrantList/>
  const open = `<${name}`;
  const close = `</${name}>`;
  let depth = 1;
  let pos = tagEnd + 1;
  while (depth > 0) {
    const nextClose = xml.indexOf(close, pos);
    if (nextClose < 0) return -1;
    let nextOpen = xml.indexOf(open, pos);
    while (nextOpen >= 0 && nextOpen < nextClose && !isTagBoundary(xml.charCodeAt(nextOpen + open.length))) {
      nextOpen = xml.indexOf(open, nextOpen + 1);
    }
    if (nextOpen >= 0 && nextOpen < nextClose) {
      depth++;
      pos = nextOpen + open.length;
    } else {
      depth--;
      pos = nextClose + close.length;
    }
  }
  return pos;
}

function isTagBoundary(code: number): boolean {
  return code === 62 /* > */ || code === 47 /* / */ || code === 32 || code === 9 || code === 10 || code === 13;
}
