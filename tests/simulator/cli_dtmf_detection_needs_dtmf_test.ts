// --dtmf-detection was taken without --dtmf, where it changes nothing: ConversationRelay's
// `dtmfDetection` (Twilio's "<ConversationRelay> TwiML noun" page, its attributes table: whether
// keypresses are sent over the WebSocket) acts on keypresses alone, and without --dtmf the caller
// presses none, so a forgotten --dtmf went unnoticed and the call passed as though keys had been
// tried. It is now refused, as --pcm-rate without --audio and --barge-in-for without --barge-in
// are; on a protocol that has no such setting the protocol is still what is said first.
// Subprocesses of the CLI, refused before any call is made.
import assert from "node:assert/strict";
import { expectUsage, printedHelp } from "./_cli.ts";

const NEEDS_DTMF =
  /^simulate: --dtmf-detection needs --dtmf \(it says whether the caller's keypresses reach the bot: without --dtmf the caller presses none\)\n/;

Deno.test("the simulate CLI refuses --dtmf-detection without --dtmf, where it changes nothing", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  const refused: [string[], RegExp][] = [
    [["-p", "conversationrelay", "--dtmf-detection", "false"], NEEDS_DTMF],
    [["-p", "conversationrelay", "--dtmf-detection", "true"], NEEDS_DTMF],
    [["-p", "telnyx-conversationrelay", "--dtmf-detection", "false"], NEEDS_DTMF],
    // The protocol first: adding --dtmf would not make it take the flag.
    [
      ["-p", "twilio", "--dtmf-detection", "false"],
      /^simulate: --dtmf-detection false: twilio offers no choice of it: it is ConversationRelay's/,
    ],
  ];
  const taken = [
    ["-p", "conversationrelay", "--dtmf", "1@500", "--dtmf-detection", "false"],
    ["-p", "telnyx-conversationrelay", "--dtmf", "#@500", "--dtmf-detection", "true"],
  ];
  await expectUsage(url, refused, taken);
});

Deno.test("the simulate CLI's --help says --dtmf-detection goes with --dtmf", async () => {
  const line = (await printedHelp()).split("\n").find((l) => l.includes("--dtmf-detection BOOL"));
  assert.match(line ?? "", /--dtmf-detection BOOL +with --dtmf, ConversationRelay's dtmfDetection/);
});
