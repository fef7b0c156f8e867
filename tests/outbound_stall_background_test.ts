// Background audio is sent in the turn that sends it, as speech is: work inside the serializer's
// `serialize` on a background chunk holds all that turn sent, and the far end, run dry meanwhile,
// plays it as it arrives. The far end here (`tests/_fake_far_end.ts`, no jitter buffer: raw PCM
// has no playout acknowledgement, so the estimate is all the transport has) plays what arrives
// back to back: where the observers are told each chunk plays and `heardMs` must say the same.
import assert from "node:assert/strict";
import type { AudioFrame, OutboundMixer } from "../mod.ts";
import { SessionMetrics } from "../mod.ts";
import { stallCall, toldPlaces } from "./_stall_call.ts";

/** The far end's bytes of the background (the bot's speech is 7). */
const HUM = 3;

/** 20 ms of background at 16 kHz mono, every slot; speech passes through unmixed. */
const hum: OutboundMixer = {
  attach() {},
  mix: (chunk: AudioFrame) => chunk,
  fill: () => ({
    type: "audio",
    audio: new Uint8Array(640).fill(HUM),
    sampleRate: 16000,
    channels: 1,
  }),
  detach() {},
};

/**
 * 100 ms of background alone, then a one-second reply over it, the serializer working `stallMs`
 * on the `stallOn`th chunk (background or speech): where the observers were told each chunk
 * plays against where the far end played it, and the most `heardMs` ran ahead of the far end.
 */
async function humAndReply(sendAheadMs: number, stallOn: number, stallMs: number) {
  const s = stallCall({
    chunkMs: 20,
    sendAheadMs,
    serializeStall: { chunk: stallOn, ms: stallMs },
    background: hum,
  });
  SessionMetrics.attach(s.transport, { clock: s.clock, speech: false });
  const places = toldPlaces();
  s.transport.observe(places.observer);
  await s.clock.tick(100);
  s.say(1000, "r1");
  let worstAhead = 0;
  for (let i = 0; i < 300; i++) {
    await s.clock.tick(5);
    worstAhead = Math.max(worstAhead, s.transport.playback.heardMs - s.farEnd.playedMs(7));
  }
  const played = s.farEnd.played;
  const misplaced = places.told
    .map((told, i) => ({ i, told: told.playsAt, played: played[i]?.at, value: played[i]?.value }))
    .filter((p) => !(Math.abs(p.told - p.played!) < 1e-6))
    .map((p) =>
      `#${p.i + 1} (${p.value === HUM ? "hum" : "speech"}) told ${p.told}, played ${p.played}`
    );
  s.pair.client.close(1000);
  await s.transport.closed;
  return { misplaced: misplaced.slice(0, 2), worstAhead };
}

Deno.test("sendAheadMs 200, serialize blocks 100 ms on the 8th background chunk: told places and heardMs are where the far end played", async () => {
  // All ten chunks the lead lets go at once leave 100 ms late, with the stall: the far end plays
  // the stream 100 ms later than placed, for good (the background never lets it run dry).
  const r = await humAndReply(200, 8, 100);
  assert.deepEqual(r.misplaced, []);
  assert.equal(r.worstAhead, 0);
});

Deno.test("serialize stalls on a background chunk or on speech over it: told places and heardMs are where the far end played", async () => {
  const failures: string[] = [];
  for (const sendAheadMs of [20, 60, 200]) {
    for (const stallOn of [1, 3, 8, 12, 20]) {
      for (const stallMs of [10, 100, 300]) {
        const r = await humAndReply(sendAheadMs, stallOn, stallMs);
        const what = `sendAheadMs ${sendAheadMs}, ${stallMs} ms on #${stallOn}`;
        if (r.misplaced.length > 0) failures.push(`${what}: ${r.misplaced.join("; ")}`);
        if (r.worstAhead > 1e-6) failures.push(`${what}: heardMs ${r.worstAhead} ms ahead`);
      }
    }
  }
  assert.deepEqual(failures, []);
});
