import { Command, CommanderError } from 'commander';
import { oneLine } from '../errors.js';
import { dedupeCommand } from './commands/dedupe.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { migrateCommand } from './commands/migrate.js';
import { prismaCommand } from './commands/prisma.js';
import { runCommand } from './commands/run.js';
import { statusCommand } from './commands/status.js';

/**
 * Commands of the contract that are not built yet: they exit non-zero naming the capability they
 * belong to, and print nothing that could pass for a result.
 */
const PLANNED: { name: string; usage: string; description: string; capability: string }[] = [
  { name: 'digest', usage: '--once [--review ID] [--dry-run]', description: 'build and send every digest that is due now', capability: 'reviewer digests and triage (issue #5)' },
  { name: 'screen', usage: '<candidate-id> include|exclude|maybe --reviewer EMAIL [--reason TEXT]', description: 'record a screening decision', capability: 'reviewer digests and triage (issue #5)' },
  { name: 'serve', usage: '[--port N]', description: 'HTTP server: triage pages, signed links, /healthz, /metrics, queue dashboard', capability: 'reviewer digests and triage (issue #5)' },
  { name: 'worker', usage: '', description: 'start the BullMQ workers and job schedulers', capability: 'scheduled workers (issue #6)' },
];

export class NotBuiltError extends Error {}

export function buildProgram(built: Command[] = [migrateCommand(), runCommand(), exportCommand(), prismaCommand(), statusCommand(), dedupeCommand(), importCommand()]): Command {
  const program = new Command('living-review')
    .description('Keeps a published systematic review alive.')
    .showHelpAfterError()
    .exitOverride();
  for (const cmd of built) program.addCommand(cmd.exitOverride());
  const builtNames = new Set(built.map((c) => c.name()));
  for (const p of PLANNED.filter((p) => !builtNames.has(p.name))) {
    program
      .command(p.name)
      .usage(p.usage)
      .description(`${p.description} [not built yet]`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        throw new NotBuiltError(`${p.name}: not built yet; it belongs to ${p.capability}`);
      });
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    // A command that finished but reports a failure (e.g. one source failed) sets exitCode.
    return Number(process.exitCode ?? 0);
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    process.stderr.write(`living-review: ${oneLine(err)}\n`);
    return 1;
  }
}
