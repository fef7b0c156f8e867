// The Plivo far end's media `timestamp` (epoch milliseconds, Plivo's "Stream Event Protocol"):
// it advances with the call's own clock, as a real call's would, so a fake clock (the README's
// advice for exact figures) drives it too, and a bot placing the caller's audio by it hears it
// where it was said.
import assert from "node:assert/strict";
import { farEndContext } from "./_context.ts";
import { FAR_ENDS } from "../../../src/simulator/far_ends.ts";

Deno.test("the Plivo far end stamps media with the call's clock: epoch ms at the call's start plus the call's time", () => {
  let now = 0;
  const sent: { event: string; media?: { timestamp: string } }[] = [];
  const context = farEndContext({
    now: () => now,
    send: (message) => sent.push(JSON.parse(message as string)),
  });
  const farEnd = FAR_ENDS["plivo"]!({});
  const before = Date.now();
  farEnd.open(context);
  farEnd.sendAudio(new Int16Array(160));
  // 15.5 s on the call's clock, in no time on the wall clock.
  now = 15_500;
  farEnd.sendAudio(new Int16Array(160));
  const stamps = sent.filter((m) => m.event === "media").map((m) => Number(m.media!.timestamp));
  assert.equal(stamps.length, 2);
  assert.ok(stamps[0]! >= before && stamps[0]! <= Date.now(), `${stamps[0]} is not epoch ms now`);
  assert.equal(stamps[1]! - stamps[0]!, 15_500);
});

// Plivo's "Play audio event" page (Stream events to Plivo → playAudio) documents `event` and
// `media` (`contentType`, `sampleRate`, `payload`) and nothing else: its request example carries
// no `streamId`, as `checkpoint` and `clearAudio` do. A bot that sends it so is heard.
Deno.test("the Plivo far end plays a playAudio without a streamId, as Plivo's page writes it", () => {
  const played: number[] = [];
  const context = farEndContext({ play: (samples) => played.push(samples.length) });
  const farEnd = FAR_ENDS["plivo"]!({});
  farEnd.open(context);
  const payload = btoa(String.fromCharCode(...new Uint8Array(160).fill(0xff)));
  farEnd.receive(JSON.stringify({
    event: "playAudio",
    media: { contentType: "audio/x-mulaw", sampleRate: 8000, payload },
  }));
  assert.deepEqual(played, [160]);
});

Deno.test("the Plivo far end still refuses a playAudio for another stream", () => {
  const violations: string[] = [];
  const played: number[] = [];
  const context = farEndContext({
    play: (samples) => played.push(samples.length),
    violation: (rule) => violations.push(rule),
  });
  const farEnd = FAR_ENDS["plivo"]!({ streamId: "20170ada-f610-433b-8758-c02a2aab3662" });
  farEnd.open(context);
  farEnd.receive(JSON.stringify({
    event: "playAudio",
    streamId: "00000000-0000-0000-0000-000000000000",
    media: { contentType: "audio/x-mulaw", sampleRate: 8000, payload: btoa("\xff\xff") },
  }));
  assert.deepEqual([violations, played], [["plivo.stream-id"], []]);
});
