// Crossref gives ISO 639-1 codes ("en"); PubMed records and protocol limits use MEDLINE's codes
// ("eng") and names ("english"). Records carry the MEDLINE code so every source says it alike.

/** name as PubMed spells it, ISO 639-1 code(s), MEDLINE code. */
const LANGUAGES: [string, string[], string][] = [
  ['english', ['en'], 'eng'], ['french', ['fr'], 'fre'], ['german', ['de'], 'ger'], ['spanish', ['es'], 'spa'],
  ['portuguese', ['pt'], 'por'], ['italian', ['it'], 'ita'], ['dutch', ['nl'], 'dut'], ['russian', ['ru'], 'rus'],
  ['chinese', ['zh'], 'chi'], ['japanese', ['ja'], 'jpn'], ['korean', ['ko'], 'kor'], ['polish', ['pl'], 'pol'],
  ['swedish', ['sv'], 'swe'], ['norwegian', ['no', 'nb', 'nn'], 'nor'], ['danish', ['da'], 'dan'], ['finnish', ['fi'], 'fin'],
  ['czech', ['cs'], 'cze'], ['turkish', ['tr'], 'tur'], ['arabic', ['ar'], 'ara'], ['persian', ['fa'], 'per'],
  ['hebrew', ['he'], 'heb'], ['greek', ['el'], 'gre'], ['hungarian', ['hu'], 'hun'], ['ukrainian', ['uk'], 'ukr'],
  ['indonesian', ['id'], 'ind'], ['croatian', ['hr'], 'hrv'], ['serbian', ['sr'], 'srp'], ['romanian', ['ro'], 'rum'],
  ['slovak', ['sk'], 'slo'], ['slovenian', ['sl'], 'slv'], ['catalan', ['ca'], 'cat'], ['lithuanian', ['lt'], 'lit'],
];

const BY_ISO = new Map(LANGUAGES.flatMap(([, isos, code]) => isos.map((iso) => [iso, code] as const)));
const BY_NAME = new Map(LANGUAGES.map(([name, , code]) => [name, code]));

/** "en", "en-GB" -> "eng"; a code not in the table is kept as Crossref gave it. */
export function medlineLanguage(crossrefCode: string): string {
  const iso = crossrefCode.trim().toLowerCase();
  return BY_ISO.get(iso.split(/[-_]/)[0]!) ?? iso;
}

/** "english" -> "eng"; undefined for a name the table does not know. */
export function languageCodeOf(name: string): string | undefined {
  const n = name.trim().toLowerCase();
  return BY_NAME.get(n) ?? (LANGUAGES.some(([, , code]) => code === n) ? n : undefined);
}
