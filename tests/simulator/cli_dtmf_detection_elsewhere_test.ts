// --dtmf-detection given to a protocol that has no such setting was refused as "twilio offers no
// choice of it (with these options)": the words --encoding and --rate are refused with, where
// other options can open a choice (Telnyx's L16 playback rate). No option opens this one anywhere
// but ConversationRelay (Twilio's "<ConversationRelay> TwiML noun" page, its attributes table:
// `dtmfDetection`; Telnyx's Conversation Relay has it too), so "with these options" sent the user
// looking for one, and the message never said where the flag belongs. It now names the protocols
// that take it, found from the far ends themselves. Subprocesses of the CLI, refused before any
// call is made.
import assert from "node:assert/strict";
import { expectUsage, runCli } from "./_cli.ts";

const WHERE = /: it is ConversationRelay's \(-p conversationrelay or telnyx-conversationrelay\)\n/;

Deno.test("the simulate CLI refuses --dtmf-detection elsewhere naming the protocols that take it", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  const refused: [string[], RegExp][] = [
    ["twilio", "false"],
    ["pipecat", "true"],
    ["asterisk", "false"],
  ].map(([protocol, value]) => [
    ["-p", protocol!, "--dtmf-detection", value!],
    new RegExp(
      `^simulate: --dtmf-detection ${value}: ${protocol} offers no choice of it${WHERE.source}`,
    ),
  ]);
  await expectUsage(url, refused, [[
    "-p",
    "telnyx-conversationrelay",
    "--dtmf",
    "1@500",
    "--dtmf-detection",
    "false",
  ]]);
  // No "with these options": none open it.
  const { stderr } = await runCli(["-p", "twilio", "--dtmf-detection", "false", url]);
  assert.doesNotMatch(stderr.split("\n")[0]!, /with these options/);
});
