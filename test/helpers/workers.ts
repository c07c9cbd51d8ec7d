import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { packageRoot } from '../../src/paths.js';

/** Protocol files derived from the shipped one, with their own ids and cron. */
export function writeProtocols(ids: string[], schedule: { search: string; digest: string }): string {
  const base = parse(readFileSync(join(packageRoot, 'config/reviews/peer-support-overdose.yaml'), 'utf8'));
  const dir = mkdtempSync(join(tmpdir(), 'lr-protocols-'));
  return ids
    .map((id) => {
      const file = join(dir, `${id}.yaml`);
      writeFileSync(file, stringify({ ...base, id, seeds: [], schedule: { ...schedule, timezone: 'UTC' } }));
      return file;
    })
    .join(',');
}

export function randomPrefix(): string {
  return `lrt-${randomUUID().slice(0, 8)}`;
}

export interface WorkerProc {
  child: ChildProcess;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
}

/**
 * Starts test/helpers/worker-entry.ts as its own process; resolves once its workers run (and,
 * given TEST_HEALTH_PORT, once its health endpoint listens).
 */
export async function startWorker(env: Record<string, string>): Promise<WorkerProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'test/helpers/worker-entry.ts')], {
    cwd: packageRoot,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const exited = new Promise<number | string>((r) => child.on('exit', (code, signal) => r(code ?? signal ?? -1)));
  const started = new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d) => {
      err += d;
      if (err.includes(env.TEST_HEALTH_PORT ? '"health endpoint listening"' : '"workers started"')) resolve();
    });
    void exited.then((code) => reject(new Error(`worker exited ${code} before starting: ${err}`)));
  });
  await started;
  return { child, stderr: () => err, exited };
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
