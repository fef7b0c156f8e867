// The simulate CLI's --dtmf-detection: ConversationRelay's `dtmfDetection` (Twilio's
// "<ConversationRelay> TwiML noun" page, its attributes table: whether keypresses are sent over
// the WebSocket, `false` by default), written as the TwiML attribute's value. Refused where the
// platform has no such setting, as --encoding and --rate are. Subprocesses of the CLI.
import { expectUsage } from "./_cli.ts";

Deno.test("the simulate CLI takes --dtmf-detection true or false for ConversationRelay only", async () => {
  const url = "ws://127.0.0.1:9/"; // never reached when refused
  const refused: [string[], RegExp][] = [
    [
      ["-p", "conversationrelay", "--dtmf-detection", "off"],
      /^simulate: --dtmf-detection must be true or false, got off\n/,
    ],
    [
      ["-p", "twilio", "--dtmf-detection", "false"],
      /^simulate: --dtmf-detection false: twilio offers no choice of it/,
    ],
  ];
  const taken = [
    ["-p", "conversationrelay", "--dtmf", "1@500", "--dtmf-detection", "false"],
    ["-p", "telnyx-conversationrelay", "--dtmf", "1@500", "--dtmf-detection", "true"],
  ];
  await expectUsage(url, refused, taken);
});
