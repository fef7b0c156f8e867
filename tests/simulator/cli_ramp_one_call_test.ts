// `--ramp` spreads the starts of several calls; with `--calls 1` there is nothing to spread, and
// the CLI ran the one call at once with the ramp ignored without a word, where it refuses
// `--ramp` without `--calls` as bad usage (cli_contradictions_test). Refused alike now. A
// subprocess of `deno run src/simulator/cli.ts`, refused before any call is made.
import { expectUsage } from "./_cli.ts";

Deno.test("the simulate CLI refuses --ramp with --calls 1, and takes it with more", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused; refused at once when called
  await expectUsage(
    url,
    [[["--calls", "1", "--ramp", "500"], /^simulate: --ramp needs --calls 2 or more/]],
    [["--calls", "2", "--ramp", "500"]],
  );
});
