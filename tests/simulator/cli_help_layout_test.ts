// The simulate CLI's --help keeps to the column its lines are written to (99 characters, a
// 100-column terminal): the protocol list, built from the far ends' names, ran on in one line of
// 209 characters, and --linger's line had 105, which a terminal breaks anywhere, the words
// landing under the flags' column. Each wrapped line of a description starts at its column.
import assert from "node:assert/strict";
import { printedHelp } from "./_cli.ts";

Deno.test("every line of the simulate CLI's --help fits in 99 columns", async () => {
  const long = (await printedHelp()).split("\n").filter((line) => line.length > 99);
  assert.deepEqual(long, []);
});

Deno.test("the --protocol list wraps under its description column, naming every protocol", async () => {
  const lines = (await printedHelp()).split("\n");
  const at = lines.findIndex((line) => line.startsWith("  -p, --protocol NAME       twilio, "));
  assert.ok(at >= 0, "the --protocol line");
  const rest = lines.slice(at + 1, lines.findIndex((line) => line.startsWith("  -a, --audio")));
  assert.ok(rest.length > 0 && rest.every((line) => /^ {28}\S/.test(line)), rest.join("\n"));
  assert.match(
    [lines[at]!, ...rest].join(" ").replace(/\s+/g, " "),
    / telnyx-conversationrelay, asterisk, asterisk-json, jambonz, freeswitch \(default: twilio\)$/,
  );
});
