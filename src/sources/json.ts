// Reading API JSON defensively: publishers fill fields unevenly, so parsers take what has the
// expected shape and turn the rest into warnings.

export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty trimmed string; numbers are accepted as their decimal form (volume: 12). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  return s === '' ? undefined : s;
}
