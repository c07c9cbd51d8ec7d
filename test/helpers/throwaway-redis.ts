import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './services.js';

/** A redis-server of this test alone (never the shared one), restartable on the same port and AOF dir. */
export async function startThrowawayRedis(extraArgs: string[] = []) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'lr-redis-'));
  let proc: ChildProcess | undefined;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction', ...extraArgs], { stdio: 'ignore' });
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // Refused connects while the server starts are the point of the loop, not errors to print.
    probe.on('error', () => {});
    for (let i = 0; i < 50; i++) {
      if (await probe.connect().then(() => true, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    probe.disconnect();
  };
  const kill = async () => {
    const p = proc;
    if (!p || p.exitCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    kill,
    start,
    stop: async () => {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
