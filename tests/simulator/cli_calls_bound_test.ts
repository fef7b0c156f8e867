// The simulate CLI's --calls has a bound, as its other numbers do (--speech-threshold from -100
// to 0, rates among those the simulator makes), refused the same way: bad usage naming the flag
// and its range (a RangeError's message, exit 2, no call made). It had none: `--calls 100000`
// opened a hundred thousand sockets at once, each call's buffers with them, before anything
// could be reported; and one process's calls share one thread, so far past the bound the
// caller's own frames go out late and the report measures the simulator, not the bot. The help
// says the range.
// Each is a subprocess of `deno run src/simulator/cli.ts`; a port that never answers (9).
import assert from "node:assert/strict";
import { expectUsage, printedHelp } from "./_cli.ts";

Deno.test("the simulate CLI refuses more --calls than 1000, as bad usage naming the range", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  await expectUsage(url, [
    [["--calls", "1001"], /^simulate: --calls must be a whole number from 1 to 1000, got 1001\n/],
    [["--calls", "100000"], /^simulate: --calls must be a whole number from 1 to 1000, got 100000/],
    [["--calls", "0"], /^simulate: --calls must be a whole number from 1 to 1000, got 0\n/],
  ], [
    // The bound itself is taken: its calls are made (and fail to connect: exit 1, a report).
    ["--calls", "1000", "--max-duration", "500"],
  ]);
});

Deno.test("the simulate CLI's --help gives --calls' range", async () => {
  const help = await printedHelp();
  assert.match(
    help,
    /-n, --calls N {13}run N calls at once and print their aggregate report \(1 to\n {28}1000; default: 1\)/,
  );
});
