// A `--param KEY=VALUE` given twice with the same key was taken silently, the last value winning,
// though neither --help nor the README says which wins: a parameter typed again further along a
// long command line replaced the first without a word. It is bad usage now (exit 2, naming the
// key and both values), and --help says each key is given once. Distinct keys, and a value that
// holds "=" itself, are taken as before.
// Each run is a subprocess of `deno run src/simulator/cli.ts`, refused before any call is made.
import assert from "node:assert/strict";
import { expectUsage, printedHelp } from "./_cli.ts";

Deno.test("the simulate CLI refuses a --param key given twice, and takes distinct keys", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused; refused at once when called
  await expectUsage(url, [
    [
      ["--param", "lang=en", "--param", "lang=fr"],
      /^simulate: --param lang given twice \(lang=en, then lang=fr\): give each key once\n/,
    ],
    [
      ["--param", "a=1", "--param", "b=2", "--param", "a=1"],
      /^simulate: --param a given twice \(a=1, then a=1\): give each key once\n/,
    ],
  ], [
    ["--param", "lang=en", "--param", "region=eu"],
    ["--param", "query=a=b", "--param", "Lang=fr", "--param", "lang=en"],
  ]);
});

Deno.test("the simulate CLI's --help says each --param key is given once", async () => {
  const text = (await printedHelp()).replace(/\s+/g, " ");
  assert.match(
    text,
    /--param KEY=VALUE a custom parameter of the call \(repeatable, each KEY once;/,
  );
});
