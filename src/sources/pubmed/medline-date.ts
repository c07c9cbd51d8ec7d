// MEDLINE's free-text publication dates.

/** First four-digit year in a MedlineDate such as "2004 Jan-Feb", "1998 Dec-1999 Jan", "Spring 2001". */
export function yearFromMedlineDate(medlineDate: string): number | undefined {
  const m = /\b(1[5-9]\d\d|2\d\d\d)\b/.exec(medlineDate);
  return m ? Number(m[1]) : undefined;
}
