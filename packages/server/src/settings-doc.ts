/** docs/settings.md's table, between its markers, from the settings schema (settings-schema.ts). */
import { settingsTable } from './config.js';

export const TABLE_START = '<!-- settings table: generated from packages/server/src/settings-schema.ts -->';
export const TABLE_END = '<!-- end of settings table -->';

/** `document` with the text between the markers replaced by the schema's table. */
export function replaceTable(document: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start < 0 || end < start)
    throw new Error(`the settings table's markers are missing: ${TABLE_START} … ${TABLE_END}`);
  return `${document.slice(0, start + TABLE_START.length)}\n${settingsTable()}\n${document.slice(end)}`;
}
