/**
 * Keeps the README's "Supported commands" list in step with the command table: every command
 * and subcommand the server registers is listed, and nothing is listed that the server lacks.
 * The list sits between `<!-- commands:start -->` and `<!-- commands:end -->`; a line reads
 * `- **group**: NAME, NAME (SUB, SUB), ...`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ALL_COMMANDS } from '../../src/server/registry.js';
import { shortNameOf } from '../../src/server/dispatch.js';

const README_PATH = new URL('../../README.md', import.meta.url);

/** `NAME` and `NAME|SUB` for everything the README lists. */
function readmeCommandNames(): string[] {
  const text = readFileSync(README_PATH, 'utf8');
  const start = text.indexOf('<!-- commands:start -->');
  const end = text.indexOf('<!-- commands:end -->');
  expect(start, 'README has a commands:start marker').toBeGreaterThan(-1);
  expect(end, 'README has a commands:end marker').toBeGreaterThan(start);
  const body = text.slice(start, end).replace(/\n\s+/g, ' ');
  const names: string[] = [];
  for (const line of body.split('\n').filter((row) => row.startsWith('- **'))) {
    const list = line.slice(line.indexOf(':', line.indexOf('**', 4)) + 1);
    // Split at commas that are not inside parentheses.
    for (const item of list.split(/,(?![^(]*\))/).map((part) => part.trim()).filter(Boolean)) {
      const match = /^([A-Z-]+)(?:\s*\(([^)]*)\))?$/.exec(item);
      expect(match, `README command entry "${item}" reads NAME or NAME (SUB, ...)`).not.toBeNull();
      const [, name, subcommands] = match as RegExpExecArray;
      names.push(name);
      for (const sub of (subcommands ?? '').split(',').map((part) => part.trim()).filter(Boolean)) names.push(`${name}|${sub}`);
    }
  }
  return names.sort();
}

function registeredCommandNames(): string[] {
  const names: string[] = [];
  for (const spec of ALL_COMMANDS) {
    names.push(spec.name);
    for (const sub of spec.subcommands ?? []) names.push(`${spec.name}|${shortNameOf(sub).toUpperCase()}`);
  }
  return names.sort();
}

describe('the README command list', () => {
  test('names exactly the commands and subcommands the server registers', () => {
    expect(readmeCommandNames()).toEqual(registeredCommandNames());
  });
});
