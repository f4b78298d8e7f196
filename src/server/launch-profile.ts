/**
 * How cowkv's Node process is started: the V8 flags that `npm start`, the `cowkv` bin (the
 * shebang of src/main.ts), the benches and the integration tests all start it with.
 * Why: the heap keeps every key and value outside V8's heap, so what is left for V8's garbage
 * collector is a young generation of short-lived objects that dies almost entirely at each
 * scavenge. On a small machine (2 cores here, shared with the snapshot writer thread), V8's
 * default *parallel* scavenge spends most of a pause waiting for its helper threads to be
 * scheduled, not copying: bench:heap measured scavenges of 5–15 ms that kept under 4 KB alive.
 * `--single-threaded-gc` runs the scavenge on the main thread only, and those pauses fell to
 * 1–3 ms. `--min-semi-space-size=16` starts the young generation at its full 16 MB instead of
 * growing it from 1 MB: a command's garbage (tens of bytes) then fills it about 8 times less
 * often, and scavenges fell from ~150 to ~20 per 5M overwrites, none over 1 ms. The README
 * (Configuration, "Node flags", and the bench:heap table) has the figures and the command.
 * Invariants: package.json's start script and src/main.ts's shebang spell exactly
 * SERVER_NODE_FLAGS (test/unit/server/launch-profile.test.ts checks both); a server started
 * without them still works, and says so at start-up (missingServerNodeFlags()).
 */

/** The V8 flags cowkv runs with. */
export const SERVER_NODE_FLAGS: readonly string[] = ['--single-threaded-gc', '--min-semi-space-size=16'];

/** The flags of SERVER_NODE_FLAGS this process was not started with (for a start-up notice). */
export function missingServerNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return SERVER_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}

/**
 * The argv that runs the compiled entry `mainPath` with `args` under the current node binary,
 * with `nodeFlags` (SERVER_NODE_FLAGS unless a bench compares others).
 */
export function serverCommandLine(
  mainPath: string,
  args: readonly string[],
  nodeFlags: readonly string[] = SERVER_NODE_FLAGS,
): { file: string; args: string[] } {
  return { file: process.execPath, args: [...nodeFlags, mainPath, ...args] };
}
