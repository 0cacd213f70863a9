/**
 * The server's process (`pnpm start` runs it through start.cjs): every setting read and checked
 * once (config.ts; a bad one stops it here, naming the variable), then startServer (server.ts).
 */
import { readSettings, type Settings } from './config.js';
import { startServer } from './server.js';

let settings: Settings;
try {
  settings = readSettings();
} catch (error) {
  console.error(`emotion server: ${(error as Error).message}`);
  process.exit(1);
}
startServer(settings);
