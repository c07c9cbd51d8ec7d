import type { NoticeFlags } from './types.js';

/** What a record is when it is not an ordinary article, for the people screening it. */
export function recordLabel(flags: NoticeFlags, kind?: string | null): string | undefined {
  if (flags.retractionNotice) return 'Retraction notice';
  if (flags.erratum) return 'Correction notice';
  if (flags.retracted) return 'Retracted publication';
  if (flags.expressionOfConcern) return 'Expression of concern';
  if (kind === 'preprint') return 'Preprint';
  return undefined;
}
