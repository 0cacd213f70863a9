/** The settings table in docs/settings.md is the schema's: regenerate it with `pnpm --filter @emotion/server settings-table`. */
import { readFileSync } from 'node:fs';

import { describe, expect, it } from 'vitest';

import { repoRoot } from '@emotion/test-support';
import { SETTINGS } from '../src/config.js';
import { replaceTable } from '../src/settings-doc.js';

const document = readFileSync(`${repoRoot}/docs/settings.md`, 'utf8');

describe('docs/settings.md', () => {
  it('holds the table the settings schema gives', () => {
    expect(document).toBe(replaceTable(document));
  });

  it('names every variable the schema reads', () => {
    for (const name of Object.keys(SETTINGS.shape)) expect(document).toContain(`| \`${name}\` |`);
  });
});
