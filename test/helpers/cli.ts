import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../../src/paths.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI from source in a child process, as a user would start `living-review`. */
export function spawnCli(args: string[], env: Record<string, string | undefined> = {}, stdio?: StdioOptions): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(packageRoot, 'src/cli/index.ts'), ...args], {
    cwd: packageRoot,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio,
  });
}

/** Collects what a started CLI prints until it exits. */
export function cliResult(child: ChildProcess): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr?.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs the CLI to the end, with `input` on its stdin. */
export function runCli(args: string[], env: Record<string, string | undefined> = {}, input?: string): Promise<CliResult> {
  const child = spawnCli(args, env);
  const result = cliResult(child);
  child.stdin!.end(input ?? '');
  return result;
}
