// `--barge-in 800 --barge-ins 0` was taken and barged in on no answer: the --barge-in the user
// typed was ignored without a word, which the CLI refuses elsewhere (--ramp with one call,
// --linger with --hang-up-at). Refused as bad usage before any call; one barge-in or more is
// taken. A subprocess of `deno run src/simulator/cli.ts`.
import { expectUsage } from "./_cli.ts";

Deno.test("the simulate CLI refuses --barge-ins 0, and takes 1", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused; refused at once when called
  await expectUsage(
    url,
    [[
      ["--barge-in", "800", "--barge-ins", "0"],
      /^simulate: --barge-ins 0 barges in on no answer/,
    ]],
    [["--barge-in", "800", "--barge-ins", "1"]],
  );
});
