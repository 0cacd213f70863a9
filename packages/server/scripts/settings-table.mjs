// Writes the settings table of docs/settings.md from the settings schema (src/settings-schema.ts),
// between its markers; test/settings-table.test.ts fails when the two differ. Run after `pnpm build`.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { replaceTable } from '../dist/settings-doc.js';

const file = fileURLToPath(new URL('../../../docs/settings.md', import.meta.url));
writeFileSync(file, replaceTable(readFileSync(file, 'utf8')));
console.log(`wrote ${file}`);
