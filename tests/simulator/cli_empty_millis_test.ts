// A flag that takes milliseconds refuses an empty value, as --calls and --rate already do:
// Number("") is 0, so `--hang-up-at=` hung up at once and `--linger ""` lingered not at all.
// Each is a subprocess of `deno run src/simulator/cli.ts`, refused before any call is made.
import assert from "node:assert/strict";
import { runCli as simulate } from "./_cli.ts";

Deno.test("the simulate CLI refuses an empty value for a flag of milliseconds", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  for (const flag of ["hang-up-at", "linger", "max-duration", "barge-in"]) {
    for (const value of ["", " "]) {
      const run = await simulate([url, `--${flag}=${value}`]);
      assert.equal(run.code, 2, `--${flag}=${JSON.stringify(value)}: ${run.stderr}`);
      assert.match(run.stderr, new RegExp(`^simulate: --${flag} must be milliseconds, got `));
    }
  }
});
