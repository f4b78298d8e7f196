/**
 * Redis's `save <seconds> <changes>` rules: snapshot when at least `changes` writes happened and
 * more than `seconds` passed since the last successful save.
 * Why its own file: the decision is pure (times and counters in, a rule or null out), so it is
 * tested without threads or files.
 * Behaviour, as Redis's serverCron: a rule fires when changes >= rule.changes and
 * now - lastSave > rule.seconds; after a failed background save, rules wait
 * SAVE_RETRY_DELAY_MS since the last attempt (Redis's CONFIG_BGSAVE_RETRY_DELAY).
 */

/** One rule: `save 3600 1` is { seconds: 3600, changes: 1 }. */
export interface SaveRule {
  readonly seconds: number;
  readonly changes: number;
}

/** Redis's defaults: `save 3600 1 300 100 60 10000`. */
export const SAVE_RULES_DEFAULT: readonly SaveRule[] = [
  { seconds: 3600, changes: 1 },
  { seconds: 300, changes: 100 },
  { seconds: 60, changes: 10000 },
];

/** After a failed background save, rules retry no sooner than this. */
export const SAVE_RETRY_DELAY_MS = 5000;

export interface SaveRuleState {
  readonly nowMs: number;
  readonly changesSinceLastSave: number;
  readonly lastSaveTimeMs: number;
  readonly lastAttemptTimeMs: number;
  readonly isLastAttemptFailed: boolean;
}

/** The first rule that says "save now", or null. */
export function dueSaveRule(rules: readonly SaveRule[], state: SaveRuleState): SaveRule | null {
  const mayRetry = !state.isLastAttemptFailed || state.nowMs - state.lastAttemptTimeMs > SAVE_RETRY_DELAY_MS;
  if (!mayRetry) return null;
  for (const rule of rules) {
    if (state.changesSinceLastSave >= rule.changes && state.nowMs - state.lastSaveTimeMs > rule.seconds * 1000) {
      return rule;
    }
  }
  return null;
}

/** Parses `"3600 1 300 100"` (the config text); `""` is no rules; null if malformed. */
export function parseSaveRules(text: string): SaveRule[] | null {
  const words = text.trim().split(/\s+/).filter((word) => word.length > 0);
  if (words.length % 2 !== 0) return null;
  const rules: SaveRule[] = [];
  for (let index = 0; index < words.length; index += 2) {
    const seconds = Number(words[index]);
    const changes = Number(words[index + 1]);
    if (!/^\d+$/.test(words[index]) || !/^\d+$/.test(words[index + 1])) return null;
    if (!Number.isSafeInteger(seconds) || !Number.isSafeInteger(changes) || seconds < 1) return null;
    rules.push({ seconds, changes });
  }
  return rules;
}
