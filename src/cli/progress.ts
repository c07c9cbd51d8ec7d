import type { SearchProgress } from '../sources/types.js';

type Phase = 'search' | 'done' | 'failed';

/**
 * Live per-source progress on a terminal: fetched of identified, rate, retries. Redraws one line
 * per source on stderr; never used with --json or when stderr is not a TTY.
 */
export function createProgressDisplay(stream: NodeJS.WriteStream = process.stderr) {
  const started = new Map<string, number>();
  const lines = new Map<string, string>();
  let drawn = 0;
  const draw = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A`);
    for (const l of lines.values()) stream.write(`\x1b[2K${l}\n`);
    drawn = lines.size;
  };
  return (source: string, p: SearchProgress & { phase: Phase }) => {
    if (!started.has(source)) started.set(source, Date.now());
    const secs = Math.max((Date.now() - started.get(source)!) / 1000, 0.001);
    const rate = Math.round(p.fetched / secs);
    const state = p.phase === 'search' ? '' : p.phase === 'done' ? ' done' : ' FAILED';
    lines.set(source, `${source}: fetched ${p.fetched} of ${p.identified} (${rate} records/s, ${p.requests} requests, ${p.retries} retries)${state}`);
    draw();
  };
}
