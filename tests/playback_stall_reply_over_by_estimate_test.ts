// A far end whose playout stalls longer than `playoutTimeoutMs` (its buffer holds what it is sent,
// then plays on from where it stopped), while the bot speaks on: a reply sent during the stall,
// after the one playing then was overdue, stops by the estimate ("speakingstop", acknowledged
// false), before the far end has played any of it (README, "Limits": a late answer cannot be told
// from none, and after the first reply whose answers go missing the replies stop as they play out
// by the estimate). The stall's late answers then come, and the far end plays that reply for real.
// What the transport says of it meanwhile must not claim the far end's word for the estimate:
// `transport.playback` said all of it heard, `acknowledged: true`, as soon as the late answers of
// the reply before came, though the far end had acknowledged none of it; and an interruption as
// it really plays, which cuts it (`interrupt()` names it, with what was heard by the answers),
// left `transport.playback` saying all of it heard.
//
// The far end (`tests/_fake_far_end.ts`) plays what it is sent in real time behind a jitter
// buffer and answers a mark once the audio sent before it has played, as Twilio's Media Streams
// documents the "mark" message (twilio.com/docs/voice/media-streams/websocket-messages, "Send a
// Mark message": "Twilio sends back a mark event with a matching name when the audio ends"); its
// `delayBy` holds what arrives from then on that much longer: the stall.
import assert from "node:assert/strict";
import { type AudioFrame, WebSocketTransport } from "../mod.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";

const BYTES_PER_MS = 32; // 16 kHz mono PCM16
const JITTER_MS = 100;
/** One mark interval of the learning cadence: how far `heardMs` may run past what played. */
const MARK_SLACK_MS = 40;

/** `ms` of audio whose every byte is `value`, of response `responseId`. */
function speech(ms: number, value: number, responseId: string): AudioFrame {
  return {
    type: "audio",
    audio: new Uint8Array(ms * BYTES_PER_MS).fill(value),
    sampleRate: 16000,
    channels: 1,
    responseId,
  };
}

/**
 * r1 (bytes 1) answered in time; r2 (bytes 2, 2 s) sent at 3000 ms, its playout stalled 4 s from
 * about 4200 ms (playoutTimeoutMs: 2000, the default); r3 (bytes 3, 1 s) sent at 7500 ms, after
 * r2 went by the estimate. The far end plays r3 from 11600 ms to 12600 ms; the estimate had it
 * from 7600 to 8600.
 */
async function stalledCall() {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new MarkingSerializer(),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    maxQueuedMs: 60_000,
    clock,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, {
    jitterMs: JITTER_MS,
    bytesPerMs: BYTES_PER_MS,
  });
  transport.addEventListener("speakingstop", () => {}); // events on time
  transport.receive(() => {});
  await clock.tick(0);
  transport.send(speech(1000, 1, "r1"));
  await clock.tick(3000);
  transport.send(speech(2000, 2, "r2"));
  await clock.tick(1000);
  farEnd.delayBy(4000);
  await clock.tick(3500);
  transport.send(speech(1000, 3, "r3"));
  return { clock, pair, transport, farEnd };
}

const VALUES: Record<string, number> = { r1: 1, r2: 2, r3: 3 };

Deno.test("a reply sent during a stall longer than playoutTimeoutMs, over by the estimate: transport.playback never says acknowledged for more heard than the far end played", async () => {
  const { clock, pair, transport, farEnd } = await stalledCall();
  const claims: string[] = [];
  for (let t = 0; t < 70; t++) {
    await clock.tick(100);
    const p = transport.playback;
    const played = farEnd.playedMs(VALUES[p.responseId!]!);
    if (p.acknowledged && p.heardMs > played + MARK_SLACK_MS) {
      claims.push(`${clock.now()} ms: ${p.responseId} ${p.heardMs} heard, ${played} played`);
    }
  }
  assert.equal(farEnd.playedMs(3), 1000, "r3 played, late");
  assert.deepEqual(claims, [], "acknowledged, yet heard ahead of the far end");
  // Once the far end has acknowledged r3's end, all of it heard rests on its word.
  assert.deepEqual(
    [transport.playback.responseId, transport.playback.heardMs, transport.playback.acknowledged],
    ["r3", 1000, true],
  );
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("a reply over by the estimate during a stall, interrupted as the far end really plays it: transport.playback says what interrupt() said", async () => {
  const { clock, pair, transport, farEnd } = await stalledCall();
  await clock.tick(12000 - clock.now()); // the far end plays r3's 400th ms
  assert.equal(transport.playback.speaking, false, "over by the estimate at 8600 ms");
  const cut = await transport.interrupt();
  assert.equal(cut.responseId, "r3");
  assert.ok(Math.abs(cut.heardMs - farEnd.playedMs(3)) <= MARK_SLACK_MS, `${cut.heardMs} heard`);
  await clock.tick(100);
  const p = transport.playback;
  assert.deepEqual([p.responseId, p.heardMs], ["r3", cut.heardMs]);
  pair.client.close(1000);
  await transport.closed;
});
