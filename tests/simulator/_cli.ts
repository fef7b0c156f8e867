/**
 * The simulate CLI as users run it: a subprocess of `deno run src/simulator/cli.ts`, with the
 * permissions its `deno task simulate` gives it.
 *
 * @module
 */

/** The CLI's entry point. */
export const CLI = new URL("../../src/simulator/cli.ts", import.meta.url).pathname;

/** `deno run`'s arguments before the CLI's own. */
export const RUN_CLI = ["run", "--allow-net", "--allow-read", "--allow-write", CLI];

/** Runs the CLI with `args` to its exit: its code and what it printed. */
export async function runCli(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...RUN_CLI, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}
