/**
 * Redis's save rules: parsing `save` text and deciding when a rule is due (with the retry delay
 * after a failed save).
 */

import { describe, expect, test } from 'vitest';

import { SAVE_RETRY_DELAY_MS, SAVE_RULES_DEFAULT, dueSaveRule, parseSaveRules } from '../../../src/snapshot/save-rules.js';

const BASE = { nowMs: 100_000, changesSinceLastSave: 0, lastSaveTimeMs: 0, lastAttemptTimeMs: 0, isLastAttemptFailed: false };

describe('save rules', () => {
  test('parseSaveRules() reads Redis defaults and an empty string as no rules', () => {
    expect(parseSaveRules('3600 1 300 100 60 10000')).toEqual(SAVE_RULES_DEFAULT);
    expect(parseSaveRules('')).toEqual([]);
    expect(parseSaveRules('  ')).toEqual([]);
  });

  test('parseSaveRules() refuses odd word counts, non-numbers and zero seconds', () => {
    expect(parseSaveRules('3600')).toBeNull();
    expect(parseSaveRules('60 x')).toBeNull();
    expect(parseSaveRules('-1 5')).toBeNull();
    expect(parseSaveRules('0 5')).toBeNull();
  });

  test('a rule fires when enough changes happened and more than its seconds passed', () => {
    const rules = [{ seconds: 60, changes: 10 }];
    expect(dueSaveRule(rules, { ...BASE, nowMs: 60_000, changesSinceLastSave: 10 })).toBeNull();
    expect(dueSaveRule(rules, { ...BASE, nowMs: 60_001, changesSinceLastSave: 9 })).toBeNull();
    expect(dueSaveRule(rules, { ...BASE, nowMs: 60_001, changesSinceLastSave: 10 })).toEqual(rules[0]);
  });

  test('the first due rule of several is returned', () => {
    expect(dueSaveRule(SAVE_RULES_DEFAULT, { ...BASE, nowMs: 301_000, changesSinceLastSave: 150 })).toEqual({
      seconds: 300,
      changes: 100,
    });
  });

  test('after a failed save, rules wait for the retry delay since the last attempt', () => {
    const rules = [{ seconds: 1, changes: 1 }];
    const failed = { ...BASE, changesSinceLastSave: 5, isLastAttemptFailed: true, lastAttemptTimeMs: 99_000 };
    expect(dueSaveRule(rules, { ...failed, nowMs: 99_000 + SAVE_RETRY_DELAY_MS })).toBeNull();
    expect(dueSaveRule(rules, { ...failed, nowMs: 99_001 + SAVE_RETRY_DELAY_MS })).toEqual(rules[0]);
  });

  test('no rules never fire', () => {
    expect(dueSaveRule([], { ...BASE, changesSinceLastSave: 1e9 })).toBeNull();
  });
});
