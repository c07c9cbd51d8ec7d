import { Command, CommanderError } from 'commander';
import { ConfigError, oneLine } from '../errors.js';
import { dedupeCommand } from './commands/dedupe.js';
import { digestCommand } from './commands/digest.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { migrateCommand } from './commands/migrate.js';
import { prismaCommand } from './commands/prisma.js';
import { runCommand } from './commands/run.js';
import { screenCommand } from './commands/screen.js';
import { serveCommand } from './commands/serve.js';
import { statusCommand } from './commands/status.js';
import { workerCommand } from './commands/worker.js';

export function buildProgram(): Command {
  const commands = [
    migrateCommand(),
    runCommand(),
    exportCommand(),
    prismaCommand(),
    statusCommand(),
    dedupeCommand(),
    importCommand(),
    digestCommand(),
    screenCommand(),
    serveCommand(),
    workerCommand(),
  ];
  // Errors stay one line (the contract), as commander writes them: no help text after them.
  const program = new Command('living-review').description('Keeps a published systematic review alive.').exitOverride();
  for (const cmd of commands) program.addCommand(cmd.exitOverride());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    // A command that finished but reports a failure (e.g. one source failed) sets exitCode.
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    // One line; a protocol's several problems are kept apart by "; ", not run together.
    const message = err instanceof ConfigError ? err.message.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean).join('; ') : oneLine(err);
    process.stderr.write(`living-review: ${message}\n`);
    return 1;
  }
}
