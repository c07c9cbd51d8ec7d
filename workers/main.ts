// Process entry point of the workers: the same as `living-review worker [options]`.
import { main } from '../src/cli/main.js';

process.exitCode = await main(['worker', ...process.argv.slice(2)]);
