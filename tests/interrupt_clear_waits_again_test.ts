// Where an interruption's clear waits and proves to be none (README, "What the caller heard": "a
// clear answered later with no message is no clear: what was sent plays on ... and a reply sent
// before the interruption but not yet playing plays too: its `speakingstart` comes as it begins
// and its `speakingstop` once it has played (the interrupted reply's `speakingstop` stays at the
// interruption)"), two cases it missed:
//
// - A reply whose start was due as the interruption came, not yet told (the events timer fires up
//   to 20 ms late): the interruption's own look at the state begins it, and it is the one
//   interrupted, its stop told then. It was taken for one not begun all the same, put back at
//   the fate, and stopped a second time, as played.
// - A second interruption before the first one's fate (a bot calling `interrupt()` at the
//   caller's speech and again at the transcript): the first's reply not begun was stopped by the
//   first cut, so the second found nothing to put back; both clears proving none, it played with
//   no event (and, where marks are answered, what played on read as acknowledged at the cut).
//
// Two far ends. One speaks no platform's protocol: a message is its JSON, a clear
// `{"event":"clear"}`, audio raw PCM (RawPcmSerializer), played back to back as it comes (the
// estimate's model: no acknowledgements). The other answers marks: FakeFarEnd
// (tests/_fake_far_end.ts), Twilio's rule, a mark comes back "when the media sent before it has
// been played" (twilio.com/docs/voice/media-streams/websocket-messages, "Mark message"). Each
// serializer answers its interruptions later, in turn (a remote encoder, a worker).
import assert from "node:assert/strict";
import { type InterruptResult, RawPcmSerializer, type WebSocketTransport } from "../mod.ts";
import type { FakeClock } from "../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "./_fake_far_end.ts";
import { laterClears } from "./_later_clears.ts";
import { BYTES_PER_MS, reply, speakingLog, urgentWireSession } from "./_urgent_wire_session.ts";

/** Logs `transport`'s speaking events and observed interruptions as `what@ms since now`. */
function logOf(transport: WebSocketTransport, clock: FakeClock): string[] {
  return speakingLog(transport, clock).log;
}

/** A raw PCM session whose clears are answered later, 400 ms ahead of playing, logged. */
async function rawSession() {
  const later = laterClears(new RawPcmSerializer());
  const s = await urgentWireSession(later.serializer, 5000, { sendAheadMs: 400 });
  return { ...s, answer: later.answer, log: logOf(s.transport, s.clock) };
}

Deno.test("a reply whose start was due, not yet told, as the interruption came is the one interrupted, and stops once, whose clear proves to be none", async () => {
  const s = await rawSession();
  // The interruption comes at 200, as r1 has played and r2 is due, before the events timer
  // (armed after this one, for the same moment) has told so: as one firing late would.
  let interrupted: Promise<InterruptResult> | InterruptResult | undefined;
  s.clock.timer(() => interrupted = s.transport.interrupt()).arm(200);
  s.transport.send(reply(200, "r1", 1));
  s.transport.send(reply(200, "r2", 2));
  await s.clock.tick(250);
  s.answer(null); // no clear: r2 plays on
  await s.clock.tick(0);
  assert.deepEqual(await interrupted, {
    responseId: "r2",
    heardMs: 200,
    droppedMs: 0,
    acknowledged: false,
  });
  await s.clock.tick(1000);
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "audio2"]);
  assert.deepEqual(s.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@200 heard 200 played",
    "speakingstart r2@200 heard 0",
    "speakingstop r2@200 heard 0 interrupted", // at the interruption, as the README says
    "interrupted@250 heard 400",
    // Before: "speakingstop r2@400 heard 200 played", a second stop with no second start.
  ]);
});

Deno.test("a reply not yet begun at two interruptions, both of whose clears prove to be none, begins as it plays and stops once played", async () => {
  const s = await rawSession();
  s.transport.send(reply(200, "r1", 1));
  s.transport.send(reply(200, "r2", 2));
  await s.clock.tick(100);
  const first = s.transport.interrupt();
  await s.clock.tick(20);
  const second = s.transport.interrupt();
  await s.clock.tick(40);
  s.answer(null);
  await s.clock.tick(10);
  s.answer(null);
  await s.clock.tick(0);
  assert.equal((await first).heardMs, 200, "all of r1 played");
  await second;
  await s.clock.tick(1000);
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "audio2"], "no clear left: all of it played");
  assert.deepEqual(s.log, [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@100 heard 100 interrupted",
    "interrupted@160 heard 400",
    "interrupted@170 heard 400",
    // Before: nothing of r2, which played from 200 to 400.
    "speakingstart r2@200 heard 0",
    "speakingstop r2@400 heard 200 played",
  ]);
});

Deno.test("a reply not yet begun at two interruptions, the first clear sent, the second none, never begins", async () => {
  const s = await rawSession();
  s.transport.send(reply(200, "r1", 1));
  s.transport.send(reply(200, "r2", 2));
  await s.clock.tick(100);
  const first = s.transport.interrupt();
  await s.clock.tick(20);
  const second = s.transport.interrupt();
  await s.clock.tick(40);
  s.answer(JSON.stringify({ event: "clear" })); // the far end drops all it had, r2 too
  await s.clock.tick(10);
  s.answer(null);
  await s.clock.tick(0);
  await first;
  await second;
  await s.clock.tick(1000);
  await s.transport.close();
  assert.deepEqual(s.wire(), ["audio1", "audio2", "clear"]);
  assert.deepEqual(s.log.slice(0, 3), [
    "speakingstart r1@0 heard 0",
    "speakingstop r1@100 heard 100 interrupted",
    "interrupted@160 heard 160",
  ]);
  assert.deepEqual(s.log.filter((line) => line.includes("r2")), [], "r2 was cleared unheard");
});

Deno.test("on a far end answering marks, a reply not yet begun at two interruptions, both of whose clears prove to be none, begins as the far end plays it, and stops as it has played it", async () => {
  const later = laterClears(new MarkingSerializer());
  const { clock, pair, transport } = await urgentWireSession(later.serializer, 5000, {
    sendAheadMs: 400,
    playoutDelayMs: 60,
  });
  const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 60, bytesPerMs: BYTES_PER_MS });
  const log = logOf(transport, clock);
  transport.send(reply(300, "r1", 1));
  transport.send(reply(200, "r2", 2));
  await clock.tick(200);
  const first = transport.interrupt();
  await clock.tick(20);
  const second = transport.interrupt();
  await clock.tick(30);
  later.answer(null); // no clear: the far end plays all it was sent
  later.answer(null);
  await clock.tick(0);
  assert.equal((await first).heardMs, 300, "all of r1 that left plays");
  await second;
  await clock.tick(1000);
  await transport.close();
  // The far end played r2 from 360 to 560 (its 60 ms buffer behind all of r1).
  const r2 = farEnd.played.filter((span) => span.value === 2);
  const r2From = r2[0]!.at - 1000;
  const r2To = r2.at(-1)!.at + r2.at(-1)!.ms - 1000;
  assert.deepEqual([r2From, r2To], [360, 560]);
  // Before: nothing of r2.
  assert.deepEqual(log.slice(4), [
    `speakingstart r2@${r2From} heard 0`,
    `speakingstop r2@${r2To} heard 200 played`,
  ]);
});
