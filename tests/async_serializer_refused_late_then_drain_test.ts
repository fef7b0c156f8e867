// A serializer that answers late only now and then (a remote encoder's hiccup) refuses one chunk
// late; a later chunk, answered at once, has to wait for the socket to drain (the far end stopped
// reading for a while) and then leaves. That chunk left: it counts as sent and heard, as every
// chunk whose send waited does, not as refused (the last late answer's refusal is no word on it).
// The far end (`tests/_fake_far_end.ts`) plays what arrives and answers a mark once the audio
// before it has played, as Twilio's Media Streams documents "mark" (its `MarkingSerializer`).
import assert from "node:assert/strict";
import { FakeClock } from "../src/testing/mod.ts";
import { markingCall, refusesLate } from "./_marking_call.ts";

Deno.test("a chunk whose send waits for the socket to drain after a late refusal counts as sent", async () => {
  const clock = new FakeClock(1000);
  const { pair, transport, farEnd, errors, say } = await markingCall(
    clock,
    refusesLate(clock, 5, 30, "rejects"),
    { markIntervalMs: 100, maxBufferedBytes: 1000 },
  );
  say(400, "r");
  await clock.tick(200); // the 5th chunk refused at 110 ms; the reply goes on
  assert.equal(errors.length, 1, "the refusal is reported");
  pair.client.stall(); // a chunk's send now waits for the socket to drain
  await clock.tick(60);
  pair.client.resume();
  await clock.tick(1000);
  const end = { ...transport.playback };
  await transport.close();
  assert.equal(errors.length, 1, "nothing else refused");
  assert.equal(farEnd.playedMs(7), 380, "the far end played all but the refused chunk");
  assert.equal(end.sentMs, 380, "sent: all that left");
  assert.equal(end.heardMs, 380, "heard: what played");
});
