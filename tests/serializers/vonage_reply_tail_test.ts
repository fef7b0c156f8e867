// A reply resampled to Vonage's 16 kHz ends in its own frames, with no frame of padding after it.
// The far end as Vonage documents it (developer.vonage.com, Voice API, "WebSockets in the Vonage
// Voice API", writing audio to the WebSocket; the "Play Audio into a WebSocket" tutorial cuts its
// 16 kHz l16 samples into arrays of 320, 640 bytes): binary messages of 20 ms of 16-bit linear
// PCM, 640 bytes at 16 kHz, played one after the other, each for 20 ms; `{"action":"notify"}`
// answered by `websocket:notify` once the audio sent before it has played.
//
// The bot writes at 24 kHz, as the realtime bridge does (examples/realtime-bridge/bridge.ts:
// `audioOut` at the model's 24 kHz, 20 ms chunks on Vonage). The resampler's stream begins with
// its filter's delay as silence (2 samples at 16 kHz), so an 800 ms reply already fills 40 whole
// frames; the 2 samples it still holds at the reply's end had a 41st frame of their own, padded
// with silence: 820 ms played for an 800 ms answer.
import assert from "node:assert/strict";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { PLAYOUT_END_MARK_PREFIX } from "../../src/playback.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import {
  LEVEL,
  samplesOf,
  speech24k,
  trailingSilence,
  vonageFrom24kHz,
} from "./_vonage_24k_replies.ts";

const FRAME_BYTES = 640; // 20 ms at 16 kHz, PCM16
/** The network and Vonage's buffer: a frame plays this long after it left at the earliest. */
const PLAYOUT_DELAY_MS = 100;

Deno.test("Vonage: an 800 ms reply at 24 kHz reaches the far end as 40 whole frames, 800 ms, none of them padding", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new VonageSerializer({ sampleRate: 16000 }),
    audioOut: { sampleRate: 24000, channels: 1, chunkMs: 20 },
    clock,
  });
  transport.receive(() => {});
  // Vonage's side: the frames it was sent, and when; each plays for its 20 ms once the one
  // before it has played, at the earliest PLAYOUT_DELAY_MS after it arrived, and a notify is
  // answered once what was sent before it has played. The delay is what makes the transport's
  // reply end with the resampler's held end (the far end plays on at the quiet time): one that
  // had played everything by then would have it dropped as filter state.
  const frames: { at: number; bytes: Uint8Array }[] = [];
  const notified: { at: number; mark: string }[] = [];
  let playedUntil = 0;
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data !== "string") {
      const bytes = new Uint8Array(data);
      frames.push({ at: clock.now(), bytes });
      playedUntil = Math.max(clock.now() + PLAYOUT_DELAY_MS, playedUntil) + bytes.length / 32;
      return;
    }
    const command = JSON.parse(data);
    if (command.action !== "notify") return;
    const answer = JSON.stringify({ event: "websocket:notify", payload: command.payload });
    void clock.sleep(playedUntil - clock.now()).then(() => {
      notified.push({ at: clock.now(), mark: command.payload.mark });
      pair.client.send(answer);
    });
  });
  pair.client.send(
    JSON.stringify({ event: "websocket:connected", "content-type": "audio/l16;rate=16000" }),
  );
  await clock.tick(0);
  // The model's answer: 800 ms at 24 kHz (19,200 samples), written as one response.
  void transport.send({ ...speech24k(19200), responseId: "r1" });
  for (let i = 0; i < 300; i++) await clock.tick(10);
  assert.ok(frames.every((f) => f.bytes.length === FRAME_BYTES), "every message a whole frame");
  const bytes = frames.reduce((sum, f) => sum + f.bytes.length, 0);
  assert.equal(bytes, 40 * FRAME_BYTES, `${bytes / 32} ms of audio reached Vonage`);
  // The last frame is the answer's to its end: no silence padded behind it.
  assert.equal(trailingSilence(frames[frames.length - 1]!.bytes), 0);
  const end = notified.find((n) => n.mark.startsWith(PLAYOUT_END_MARK_PREFIX));
  assert.ok(end !== undefined, "the end of speech was marked");
  // Answered once the 40 frames have played: 800 ms after the first began.
  assert.equal(end.at, frames[0]!.at + PLAYOUT_DELAY_MS + 800);
  assert.equal(transport.stats.audioBytesSent, 19200 * 2);
  pair.client.close(1000);
  await transport.closed;
});

Deno.test("Vonage: the resampler's held end joins the reply's partial last frame, padded after it", () => {
  const vonage = vonageFrom24kHz();
  // 810 ms: 12,960 samples at 16 kHz, 40 frames and 160 samples held.
  const whole = vonage.serialize(speech24k(19440)) as Uint8Array[];
  assert.equal(whole.length, 40);
  const [last, ...more] = vonage.audioEnds(true) ?? [];
  assert.deepEqual(more, [], "one frame");
  assert.equal(last?.length, FRAME_BYTES);
  // The 160 samples held, then the 2 the resampler held back (the answer's end), then silence.
  assert.equal(trailingSilence(last as Uint8Array), 320 - 162);
  assert.equal(vonage.audioEnds(true), null, "nothing held any more");
});

Deno.test("Vonage: the resampler's held end spills into no frame of its own where the partial frame has less room", () => {
  const vonage = vonageFrom24kHz();
  // 19,198 samples at 24 kHz: 12,799 at 16 kHz, 39 frames and 319 samples, room for one more.
  const whole = vonage.serialize(speech24k(19198)) as Uint8Array[];
  assert.equal(whole.length, 39);
  const end = vonage.audioEnds(true) ?? [];
  assert.deepEqual(end.map((m) => (m as Uint8Array).length), [FRAME_BYTES]);
  // The partial frame, ended by as much of the held end as it has room for: no silence.
  assert.equal(trailingSilence(end[0] as Uint8Array), 0);
  // The next reply begins a stream of its own: the filter's delay as silence, then its speech,
  // nothing of the last reply's end in front of it.
  const [next] = vonage.serialize(speech24k(480)) as Uint8Array[];
  const samples = samplesOf(next!);
  assert.deepEqual([...samples.subarray(0, 2)], [0, 0]);
  assert.ok(samples.subarray(2).every((s) => Math.abs(s - LEVEL) < LEVEL / 2));
});
