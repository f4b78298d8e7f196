import { describe, expect, test } from 'vitest';
import { ALL_COMMANDS } from '../../../src/server/registry.js';
import { shortNameOf } from '../../../src/server/dispatch.js';

describe('the command registry', () => {
  test('has unique command names', () => {
    const names = ALL_COMMANDS.map((spec) => spec.name);
    expect(names.filter((name, index) => names.indexOf(name) !== index)).toEqual([]);
  });

  test('has unique subcommand names within each container', () => {
    for (const spec of ALL_COMMANDS) {
      const names = (spec.subcommands ?? []).map((sub) => shortNameOf(sub).toUpperCase());
      expect(names.filter((name, index) => names.indexOf(name) !== index), spec.name).toEqual([]);
    }
  });

  test('gives every command an upper-case name, a non-zero arity, a group and a summary', () => {
    for (const spec of ALL_COMMANDS) {
      expect(spec.name, spec.name).toBe(spec.name.toUpperCase());
      expect(spec.arity, spec.name).not.toBe(0);
      expect(spec.group.length, spec.name).toBeGreaterThan(0);
      expect(spec.summary.length, spec.name).toBeGreaterThan(0);
    }
  });
});
