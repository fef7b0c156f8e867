// A whole call on the ConversationRelay far end with `platform.dtmfDetection` (far_end.ts): off,
// as Twilio's "<ConversationRelay> TwiML noun" page has it by default (its attributes table,
// `dtmfDetection`: whether keypresses are sent over the WebSocket, `false` by default), the
// caller's keypress reaches the bot as no `dtmf` message and the report counts it as not
// detected (`dtmf.undetected`, "not detected (dtmfDetection off)"), not as not carried by the
// protocol, which carries keys;
// unset, it is sent as before. A `dtmfDetection` that is no boolean ("false" from a config file)
// is refused: it would have left keypresses on without a word. In-memory sockets, a FakeClock.
import assert from "node:assert/strict";
import { formatReport, simulateCall } from "../../src/simulator/mod.ts";
import type { FarEndOptions } from "../../src/simulator/far_end.ts";
import { callPressingFive } from "./_keypress_call.ts";

/** A ConversationRelay call pressing 5 at 200 ms, hung up at 1 s: its report and what the bot got. */
const pressFive = (platform: FarEndOptions) =>
  callPressingFive({ protocol: "conversationrelay", platform });

Deno.test("ConversationRelay with dtmfDetection false: the keypress is not sent, and counted as not detected", async () => {
  const { report, types } = await pressFive({ dtmfDetection: false });
  assert.deepEqual(report.dtmf, { sent: 0, unsupported: 0, undetected: 1, afterEnd: 0 });
  assert.match(formatReport(report), /dtmf\s+0 sent · 1 not detected \(dtmfDetection off\)\n/);
  assert.ok(types.includes("setup") && !types.includes("dtmf"), types.join(", "));
});

// Telnyx runs ConversationRelay too, `dtmfDetection` and all: its report names the setting as
// Twilio's does (format_report.ts names it only where the far end reads it).
Deno.test("Telnyx's ConversationRelay with dtmfDetection false: the report names dtmfDetection", async () => {
  const { report, types } = await callPressingFive({
    protocol: "telnyx-conversationrelay",
    platform: { dtmfDetection: false },
  });
  assert.deepEqual(report.dtmf, { sent: 0, unsupported: 0, undetected: 1, afterEnd: 0 });
  assert.match(formatReport(report), /dtmf\s+0 sent · 1 not detected \(dtmfDetection off\)\n/);
  assert.ok(!types.includes("dtmf"), types.join(", "));
});

Deno.test("ConversationRelay with dtmfDetection unset: the keypress is sent, as before", async () => {
  const { report, types } = await pressFive({});
  assert.deepEqual(report.dtmf, { sent: 1, unsupported: 0, undetected: 0, afterEnd: 0 });
  assert.ok(types.includes("dtmf"), types.join(", "));
});

Deno.test("simulateCall refuses a platform.dtmfDetection that is no boolean", async () => {
  await assert.rejects(
    simulateCall("ws://bot.invalid/", {
      protocol: "conversationrelay",
      platform: { dtmfDetection: "false" as unknown as boolean },
    }),
    (error: Error) =>
      error instanceof TypeError &&
      /^platform\.dtmfDetection must be true or false, got a string/.test(error.message),
  );
});
