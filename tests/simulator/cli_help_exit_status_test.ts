// The simulate CLI's --help says when it exits 0; a CI job reads it to know what a pass proves.
// It exits 1 too for a bot that closes with 1012/1013 (`_failed_ending.ts`) and for a --record
// file it could not write, and its --encoding takes Asterisk's formats: the help says so.
import assert from "node:assert/strict";
import { printedHelp } from "./_cli.ts";

Deno.test("the simulate CLI's --help names every reason a run exits 1, and Asterisk's encodings", async () => {
  const text = (await printedHelp()).replace(/\s+/g, " ");
  assert.match(text, /1011, 1013 and the other failures/);
  assert.match(text, /had its --record file written; 1 otherwise/);
  // A Genesys bot's disconnect that says it failed, and the opt-in gates.
  assert.match(text, /a disconnect with reason error or unauthorized/);
  assert.match(text, /had every utterance answered with --require-answer/);
  assert.match(text, /was ended by the bot before --max-duration with --wait-for-bot/);
  assert.match(
    text,
    /asterisk ulaw, alaw, g722, slin, slin12, slin16, slin24, slin32, slin44, slin48, slin96 or slin192\)/,
  );
});
