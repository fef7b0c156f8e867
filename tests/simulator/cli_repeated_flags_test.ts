// A flag that takes one value, given twice, was taken silently, the last value winning
// (`--linger 500 --linger 900` lingered 900 ms; `-p raw --protocol twilio` called as Twilio),
// though neither --help nor the README says which wins: a flag typed again further along a long
// command line replaced the first without a word, as a repeated --param key did
// (cli_param_repeated_test). It is bad usage now (exit 2, naming the flag and both values).
// --param itself stays repeatable, and a switch given twice (`--json --json`) ignores nothing.
// Each run is a subprocess of `deno run src/simulator/cli.ts`, refused before any call is made.
import { expectUsage } from "./_cli.ts";

Deno.test("the simulate CLI refuses a one-value flag given twice, however it is spelled", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused; refused at once when called
  await expectUsage(url, [
    [
      ["--linger", "500", "--linger", "900"],
      /^simulate: --linger given twice \(500, then 900\): give each flag once\n/,
    ],
    [
      ["-p", "raw", "--protocol", "twilio"],
      /^simulate: --protocol given twice \(raw, then twilio\): give each flag once\n/,
    ],
    [
      ["--calls=2", "-n", "3"],
      /^simulate: --calls given twice \(2, then 3\): give each flag once\n/,
    ],
    [
      // A negative level is joined to its flag before parsing (`--speech-threshold=-30`).
      ["--speech-threshold", "-30", "--speech-threshold", "-40"],
      /^simulate: --speech-threshold given twice \(-30, then -40\): give each flag once\n/,
    ],
    [
      ["--max-duration", "5000", "--max-duration", "5000"],
      /^simulate: --max-duration given twice \(5000, then 5000\): give each flag once\n/,
    ],
  ], [
    ["--param", "a=1", "--param", "b=2"],
    ["--json", "--json", "--max-duration", "5000"],
  ]);
});
