// Vonage at the end of a stretch of the bot's speech, and its clears' answers, against Vonage's
// documented WebSocket protocol (developer.vonage.com, Voice API, "WebSockets"; the same surface
// as the AsyncAPI description that page's frames are taken from):
//
// - "Writing audio to the WebSocket": binary messages of raw `audio/l16` PCM, 20 ms each, 640
//   bytes at 16 kHz; a message of any other length is not a frame Vonage takes.
// - `{"action":"notify","payload":{…}}` asks Vonage to send `websocket:notify` with that payload
//   once the audio sent before it has played.
// - `{"action":"clear"}` drops the audio Vonage has queued; `websocket:cleared` is the
//   "acknowledgement that a clear command emptied the playback buffer": it carries nothing but
//   its `event`, so it does not say which clear it answers, and the page does not say that a
//   clear finding nothing queued is answered at all.
import assert from "node:assert/strict";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { PLAYOUT_END_MARK_PREFIX } from "../../src/playback.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import type { Frame } from "../../src/frames.ts";
import { filledPcm16k, SETUP_16K } from "./fixtures/filled_pcm_16k.ts";

const FRAME_BYTES = 640; // 20 ms at 16 kHz, PCM16

Deno.test("Vonage: a reply's partial last frame leaves when its stretch ends, padded to 640 bytes, before the end-of-speech notify", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new VonageSerializer({ sampleRate: 16000 }),
    audioOut: { sampleRate: 16000, chunkMs: 20 },
    clock,
  });
  transport.receive(() => {});
  // Vonage's side: what reached it, when; a notify answered once the audio before it has played
  // (here: at once, a far end that has played it all already).
  const binary: { at: number; bytes: Uint8Array }[] = [];
  const notified: { at: number; mark: string }[] = [];
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data !== "string") {
      binary.push({ at: clock.now(), bytes: new Uint8Array(data) });
      return;
    }
    const command = JSON.parse(data);
    if (command.action !== "notify") return;
    notified.push({ at: clock.now(), mark: command.payload.mark });
    pair.client.send(JSON.stringify({ event: "websocket:notify", payload: command.payload }));
  });
  pair.client.send(
    JSON.stringify({ event: "websocket:connected", "content-type": "audio/l16;rate=16000" }),
  );
  await clock.tick(0);
  // 1010 ms of speech: 50 whole frames and half of one, all of it 0x11 (never silence).
  void transport.send({ ...filledPcm16k(32 * 1010, 0x11), responseId: "r1" });
  for (let i = 0; i < 300; i++) await clock.tick(10);
  assert.ok(binary.every((m) => m.bytes.length === FRAME_BYTES), "every message a whole frame");
  assert.equal(binary.length, 51);
  const last = binary[binary.length - 1]!;
  assert.deepEqual([...last.bytes.subarray(0, 320)], new Array(320).fill(0x11), "the speech");
  assert.deepEqual([...last.bytes.subarray(320)], new Array(320).fill(0), "then silence");
  const end = notified.find((n) => n.mark.startsWith(PLAYOUT_END_MARK_PREFIX));
  assert.ok(end !== undefined, "the end of speech was marked");
  // The speech's end leaves with its stretch, not only with the notify after the quiet time.
  assert.ok(last.at < end.at, `the last frame at ${last.at} ms, the end notify at ${end.at} ms`);
  assert.equal(transport.stats.audioBytesSent, 32 * 1010);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("Vonage: `audioEnds` sends the held partial frame padded, with nothing resampled, and the next reply starts clean", () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  assert.equal((vonage.serialize(filledPcm16k(960, 0x22)) as Uint8Array[]).length, 1);
  const [frame, ...more] = vonage.audioEnds(true) ?? [];
  assert.deepEqual(more, []);
  assert.ok(frame instanceof Uint8Array);
  assert.equal(frame.length, FRAME_BYTES);
  assert.deepEqual([...frame.subarray(0, 320)], new Array(320).fill(0x22));
  assert.deepEqual([...frame.subarray(320)], new Array(320).fill(0));
  assert.equal(vonage.audioEnds(true), null, "nothing held any more");
  // The far end has run dry: the bot's held speech still goes (it is counted sent), alone.
  vonage.serialize(filledPcm16k(320, 0x33));
  const [late] = vonage.audioEnds(false) ?? [];
  assert.deepEqual([...(late as Uint8Array).subarray(0, 320)], new Array(320).fill(0x33));
  // The next reply's first frame is its own audio only.
  const [next] = vonage.serialize(filledPcm16k(640, 0x44)) as Uint8Array[];
  assert.deepEqual([...next!], new Array(640).fill(0x44));
  // The end-of-speech notify after it goes alone: nothing is held for it.
  assert.deepEqual(
    vonage.serialize({ type: "mark", name: `${PLAYOUT_END_MARK_PREFIX}1` }),
    JSON.stringify({ action: "notify", payload: { mark: `${PLAYOUT_END_MARK_PREFIX}1` } }),
  );
});

const CLEARED = '{"event":"websocket:cleared"}';
const notify = (name: string) =>
  JSON.stringify({ event: "websocket:notify", payload: { mark: name } });

Deno.test("Vonage: a clear never answered leaves no later clear's marks waiting for the next barge-in", () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  vonage.serialize(filledPcm16k(640, 1));
  vonage.serialize({ type: "mark", name: "a" });
  vonage.serialize({ type: "interruption" }); // Vonage never answers this one
  vonage.serialize(filledPcm16k(640, 1));
  vonage.serialize({ type: "mark", name: "b" });
  vonage.serialize({ type: "interruption" });
  // The one answer: Vonage's buffer is empty, both clears have been sent. "b" comes back now.
  const first = (vonage.deserialize(CLEARED) as Frame[]).map((f) => f.type === "mark" && f.name);
  assert.deepEqual(first.sort(), ["a", "b"]);
  // The next barge-in gets its own marks back with its own answer, not one barge-in late.
  vonage.serialize(filledPcm16k(640, 1));
  vonage.serialize({ type: "mark", name: "c" });
  vonage.serialize({ type: "interruption" });
  assert.deepEqual(vonage.deserialize(CLEARED), [{ type: "mark", name: "c" }]);
  assert.deepEqual(vonage.deserialize(CLEARED), [], "an answer more releases nothing");
  // Marks sent since the last clear wait for their notify, answer or not.
  vonage.serialize({ type: "mark", name: "d" });
  assert.deepEqual(vonage.deserialize(CLEARED), []);
  assert.deepEqual(vonage.deserialize(notify("d")), { type: "mark", name: "d" });
});

Deno.test("Vonage: marks pending at clears never answered are kept to 64, the newest", () => {
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  const n = 5000;
  for (let i = 0; i < n; i++) {
    vonage.serialize({ type: "mark", name: `m${i}` });
    vonage.serialize({ type: "interruption" });
  }
  // Forgotten: its late notify is one we are not waiting for, as any other.
  assert.deepEqual(vonage.deserialize(notify("m0")), {
    type: "message",
    message: { event: "websocket:notify", payload: { mark: "m0" } },
  });
  // A notify of a mark kept releases it once, not again with the answer.
  assert.deepEqual(vonage.deserialize(notify(`m${n - 1}`)), { type: "mark", name: `m${n - 1}` });
  const released = (vonage.deserialize(CLEARED) as Frame[]).map((f) => f.type === "mark" && f.name);
  const expected = Array.from({ length: 63 }, (_, i) => `m${n - 64 + i}`);
  assert.deepEqual(released, expected);
  assert.deepEqual(vonage.deserialize(CLEARED), []);
});

Deno.test("Vonage: a mark name the bot uses again is answered once per mark sent, cleared or notified", () => {
  // The page asks nothing of a notify's payload but that it comes back: every notify sent is one
  // answer owed, and a name used twice is two marks.
  const vonage = new VonageSerializer();
  vonage.setup(SETUP_16K);
  const turn = { type: "mark", name: "turn" } as const;
  for (let i = 0; i < 2; i++) {
    vonage.serialize(filledPcm16k(640, 1));
    vonage.serialize(turn);
  }
  assert.deepEqual(vonage.deserialize(notify("turn")), turn);
  assert.deepEqual(vonage.deserialize(notify("turn")), turn, "the second is a mark, not a message");
  // Both pending at a clear: its answer gives both back.
  for (let i = 0; i < 2; i++) {
    vonage.serialize(filledPcm16k(640, 1));
    vonage.serialize(turn);
  }
  vonage.serialize({ type: "interruption" });
  assert.deepEqual(vonage.deserialize(CLEARED), [turn, turn]);
  // Used on both sides of a clear: a notify before the clear's answer is the older mark's (it
  // played before the clear); the newer waits for its own.
  vonage.serialize(filledPcm16k(640, 1));
  vonage.serialize(turn);
  vonage.serialize({ type: "interruption" });
  vonage.serialize(filledPcm16k(640, 1));
  vonage.serialize(turn);
  assert.deepEqual(vonage.deserialize(notify("turn")), turn);
  assert.deepEqual(vonage.deserialize(CLEARED), [], "the older was taken by its notify");
  assert.deepEqual(vonage.deserialize(notify("turn")), turn, "the newer's own notify");
});
