/**
 * For a script run with `--v8-flags=--expose-gc` (see `_gc_script.ts`): full collections until
 * what remains is what is held, and the memory it takes.
 *
 * @module
 */

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");

/**
 * Full collections a task apart (array buffers are freed by a sweeper that runs after one);
 * returns the heap and external memory used after them, in bytes.
 */
export async function collectGarbage(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}
