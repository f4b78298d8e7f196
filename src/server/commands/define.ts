/**
 * A small builder for CommandSpec rows, so a family table reads as name, arity, flags, handler.
 * Why: most server-side commands take no keys (first/last/step 0/0/0); spelling that out on
 * every row hides what matters. Pure data: no registration happens here (registry.ts does it).
 */

import type { CommandFlag, CommandHandler, CommandSpec } from '../command-types.js';
import { INTERNAL_ERROR } from '../errors.js';

export interface CommandDefinition {
  readonly name: string;
  readonly arity: number;
  readonly flags: readonly CommandFlag[];
  readonly group: string;
  readonly summary: string;
  readonly run: CommandHandler;
  readonly keys?: readonly [first: number, last: number, step: number];
  readonly subcommands?: readonly CommandSpec[];
}

/** A CommandSpec with Redis's 0/0/0 key positions unless `keys` says otherwise. */
export function defineCommand(definition: CommandDefinition): CommandSpec {
  const [firstKey, lastKey, keyStep] = definition.keys ?? [0, 0, 0];
  return {
    name: definition.name.toUpperCase(),
    arity: definition.arity,
    flags: definition.flags,
    firstKey,
    lastKey,
    keyStep,
    group: definition.group,
    summary: definition.summary,
    subcommands: definition.subcommands,
    run: definition.run,
  };
}

/** The handler of a container command (CONFIG, CLIENT...): dispatch resolves subcommands
 *  first, so this only runs if a subcommand spec is missing its own handler. */
export function containerCommand(): CommandHandler {
  return (context) => context.reply.error(INTERNAL_ERROR);
}
