/**
 * The strategy table: name -> strategy. Adding a strategy is adding a row here.
 * Why a separate file: strategy.ts holds only types, so the worker and the format code can
 * import them without pulling in every strategy.
 */

import { COPY_STRATEGY } from './strategy-copy.js';
import { COW_STRATEGY } from './strategy-cow.js';
import { STW_STRATEGY } from './strategy-stw.js';
import type { SnapshotStrategy, SnapshotStrategyName } from './strategy.js';

const STRATEGIES: Readonly<Record<SnapshotStrategyName, SnapshotStrategy>> = {
  cow: COW_STRATEGY,
  stw: STW_STRATEGY,
  copy: COPY_STRATEGY,
};

/** The strategy with this name. */
export function strategyNamed(name: SnapshotStrategyName): SnapshotStrategy {
  return STRATEGIES[name];
}
