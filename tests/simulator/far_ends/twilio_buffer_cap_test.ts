// Twilio's warning 31931 "Stream - Media - Media Discarded" (twilio.com/docs/api/errors/31931):
// "More than 10 minutes of audio is buffered by the Streamer. No more data is accepted." The
// warning is sent once per stream, but every media message past the cap is lost to the caller:
// the report counted the first alone (the count of `twilio.buffer-full` stayed 1 however many
// were discarded, and no other figure held them), then counted again each time the buffer fell
// under the cap and filled up, so it was neither the warnings nor the drops. It counts each drop,
// as the Vonage and Asterisk far ends count theirs.
import assert from "node:assert/strict";
import { FAR_ENDS } from "../../../src/simulator/far_ends.ts";
import { farEndContext } from "./_context.ts";

const TEN_MINUTES_MS = 10 * 60 * 1000;

function media(streamSid: string): string {
  return JSON.stringify({
    event: "media",
    streamSid,
    media: { payload: btoa("\xff".repeat(160)) },
  });
}

Deno.test("the twilio far end counts every media message it discards past its 10-minute buffer", () => {
  let queuedMs = 0;
  let played = 0;
  const violations: { rule: string; count: number }[] = [];
  const context = farEndContext({
    violation: (rule) => {
      const found = violations.find((v) => v.rule === rule);
      if (found) found.count++;
      else violations.push({ rule, count: 1 });
    },
    play: () => played++,
    queuedMs: () => queuedMs,
    mark: (_name, _onClear, ack) => ack(),
    whenPlayed: (_onClear, done) => done(),
  });
  const farEnd = FAR_ENDS.twilio!({ streamId: "MZ1" });
  farEnd.open(context);
  farEnd.receive(media("MZ1"));
  assert.equal(played, 1);
  queuedMs = TEN_MINUTES_MS;
  for (let i = 0; i < 3; i++) farEnd.receive(media("MZ1"));
  // The buffer plays down under the cap, takes one message, and is full again.
  queuedMs = TEN_MINUTES_MS - 20;
  farEnd.receive(media("MZ1"));
  queuedMs = TEN_MINUTES_MS;
  for (let i = 0; i < 2; i++) farEnd.receive(media("MZ1"));
  assert.equal(played, 2, "the messages under the cap played");
  assert.deepEqual(violations, [{ rule: "twilio.buffer-full", count: 5 }], "one per discarded");
});
