// One table of languages for every source: the protocol spells a language as PubMed does
// ("english"), Europe PMC and PubMed records use MEDLINE's ISO 639-2/B codes ("eng"), OpenAlex and
// Crossref ISO 639-1 ("en"). Records carry the MEDLINE code, so every source says it alike.

/** PubMed name, MEDLINE code, ISO 639-1 code(s). */
const LANGUAGES: Array<[name: string, medline: string, iso1: string[]]> = [
  ['afrikaans', 'afr', ['af']], ['albanian', 'alb', ['sq']], ['arabic', 'ara', ['ar']], ['armenian', 'arm', ['hy']],
  ['bosnian', 'bos', ['bs']], ['bulgarian', 'bul', ['bg']], ['catalan', 'cat', ['ca']], ['chinese', 'chi', ['zh']],
  ['croatian', 'hrv', ['hr']], ['czech', 'cze', ['cs']], ['danish', 'dan', ['da']], ['dutch', 'dut', ['nl']],
  ['english', 'eng', ['en']], ['esperanto', 'epo', ['eo']], ['estonian', 'est', ['et']], ['finnish', 'fin', ['fi']],
  ['french', 'fre', ['fr']], ['georgian', 'geo', ['ka']], ['german', 'ger', ['de']], ['greek', 'gre', ['el']],
  ['hebrew', 'heb', ['he']], ['hindi', 'hin', ['hi']], ['hungarian', 'hun', ['hu']], ['icelandic', 'ice', ['is']],
  ['indonesian', 'ind', ['id']], ['italian', 'ita', ['it']], ['japanese', 'jpn', ['ja']], ['korean', 'kor', ['ko']],
  ['latin', 'lat', ['la']], ['latvian', 'lav', ['lv']], ['lithuanian', 'lit', ['lt']], ['macedonian', 'mac', ['mk']],
  ['malay', 'may', ['ms']], ['norwegian', 'nor', ['no', 'nb', 'nn']], ['persian', 'per', ['fa']], ['polish', 'pol', ['pl']],
  ['portuguese', 'por', ['pt']], ['romanian', 'rum', ['ro']], ['russian', 'rus', ['ru']], ['serbian', 'srp', ['sr']],
  ['slovak', 'slo', ['sk']], ['slovenian', 'slv', ['sl']], ['spanish', 'spa', ['es']], ['swedish', 'swe', ['sv']],
  ['thai', 'tha', ['th']], ['turkish', 'tur', ['tr']], ['ukrainian', 'ukr', ['uk']], ['vietnamese', 'vie', ['vi']],
];

const BY_NAME_OR_CODE = new Map(LANGUAGES.flatMap((row) => [[row[0], row], [row[1], row]] as const));
const BY_ISO1 = new Map(LANGUAGES.flatMap((row) => row[2].map((iso) => [iso, row] as const)));

/** A protocol language (PubMed name or MEDLINE code) as its MEDLINE code; undefined if unknown. */
export function medlineCode(language: string): string | undefined {
  return BY_NAME_OR_CODE.get(language.trim().toLowerCase())?.[1];
}

/**
 * A protocol language (PubMed name or MEDLINE code) as PubMed names it; undefined if unknown.
 * PubMed reads the first three letters of most names as the name, but a MEDLINE code is not
 * always those letters (rum, hrv, alb), and slo would be Slovak and Slovenian alike.
 */
export function pubmedName(language: string): string | undefined {
  return BY_NAME_OR_CODE.get(language.trim().toLowerCase())?.[0];
}

/** A protocol language (PubMed name or MEDLINE code) as its ISO 639-1 code; undefined if unknown. */
export function iso1Code(language: string): string | undefined {
  return BY_NAME_OR_CODE.get(language.trim().toLowerCase())?.[2][0];
}

/** A record's ISO 639-1 code ("en", "en-GB") as MEDLINE's; a code not in the table is kept as given. */
export function medlineFromIso1(code: string): string {
  const iso = code.trim().toLowerCase();
  return BY_ISO1.get(iso.split(/[-_]/)[0]!)?.[1] ?? iso;
}
