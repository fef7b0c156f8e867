// A reply's end held back (the chunker's partial chunk) leaves at the pump's tail timer, the quiet
// time after the queue ran dry: the end of the stretch, whose end-of-speech mark goes right after
// it (held_tail_end_mark_test.ts). Its send may wait: a serializer that answers later (a remote
// encoder, a worker: `FrameSerializer.serialize` may return a promise), or a full socket. Audio
// written meanwhile carries the stretch on: the held end is no longer its end. It was still taken
// for it once the queue next ran dry, after the first chunk of what followed, and the transport
// sent its end-of-speech mark there, in the middle of the reply that went on (mod_audio_fork's
// serializers send the silence that completes the module's batch with that mark: into the
// speech), the serializer told there that the stretch had ended.
//
// The far end: FakeFarEnd (tests/_fake_far_end.ts), playing what arrives after its buffer and
// answering a mark as Twilio does, once the audio sent before it has played
// (twilio.com/docs/voice/media-streams/websocket-messages, "Mark message"); and mod_audio_fork
// as jambonz and FreeSWITCH run it (tests/serializers/fixtures/fork_module_playout.ts, from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899), which played that silence
// as a 40 ms hole in the reply that went on.
import assert from "node:assert/strict";
import type { FrameSerializer } from "../../mod.ts";
import { WebSocketTransport } from "../../mod.ts";
import { PLAYOUT_END_MARK_PREFIX } from "../../src/playback.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";
import { FakeFarEnd, MarkingSerializer } from "../_fake_far_end.ts";
import {
  FORK_METADATA,
  FORK_SERIALIZERS,
  forkAudio,
} from "../serializers/fixtures/fork_serializers.ts";
import { forkFarEnd } from "../serializers/fixtures/fork_module_playout.ts";
import { narrowbandCall } from "../serializers/fixtures/narrowband_call.ts";

const BYTES_PER_MS = 32; // 16 kHz mono PCM16
const TAIL_MS = 10;

/**
 * Makes `serializer` answer the send of a reply's held end (a 10 ms chunk, `tailBytes` long) 3 ms
 * later, on the clock `clock()` gives; returns whether that send began.
 */
function answersTailLate(
  serializer: FrameSerializer,
  clock: () => FakeClock,
  tailBytes: number,
): () => boolean {
  const serialize = serializer.serialize.bind(serializer);
  let tailSent = false;
  serializer.serialize = (frame) => {
    const message = serialize(frame);
    if (frame.type !== "audio" || frame.audio.length !== tailBytes) return message;
    tailSent = true;
    return clock().sleep(3).then(() => message);
  };
  return () => tailSent;
}

for (const sameResponse of [false, true]) {
  Deno.test(`a reply written while its predecessor's held end waits for its send gets no end-of-speech mark mid-reply (${sameResponse ? "the same response" : "a new response"})`, async () => {
    const clock = new FakeClock(1000);
    const pair = new MemorySocketPair();
    const serializer = new MarkingSerializer();
    const tailSent = answersTailLate(serializer, () => clock, TAIL_MS * BYTES_PER_MS);
    const transport = new WebSocketTransport(pair.server, {
      serializer,
      clock,
      audioOut: { sampleRate: 16000, chunkMs: 20 },
      sendAheadMs: 20,
    });
    transport.receive(() => {}); // the marks' answers are read
    const farEnd = new FakeFarEnd(clock, pair.client, { jitterMs: 100, bytesPerMs: BYTES_PER_MS });
    await clock.tick(1);
    const write = (ms: number, value: number, responseId: string) =>
      transport.send({
        type: "audio",
        audio: new Uint8Array(ms * BYTES_PER_MS).fill(value),
        sampleRate: 16000,
        channels: 1,
        responseId,
      });
    // Reply 1 in real time: five chunks and a 10 ms end, which the chunker holds.
    for (let n = 0; n < 6; n++) {
      write(n === 5 ? TAIL_MS : 20, 1, "r1");
      await clock.tick(20);
    }
    while (!tailSent()) await clock.tick(1); // the tail timer let the end go
    await clock.tick(1); // its send still waits for the serializer's answer
    // What follows, in real time: 400 ms, from position 110 to 510.
    const next = sameResponse ? "r1" : "r2";
    for (let n = 0; n < 20; n++) {
      write(20, 2, next);
      await clock.tick(20);
    }
    await clock.tick(1000);
    const endMarks = farEnd.texts
      .filter((t) => t.text.startsWith(`mark:${PLAYOUT_END_MARK_PREFIX}`))
      .map((t) => t.bytesBefore / BYTES_PER_MS);
    // Before: an end-of-speech mark at 130, 20 ms into what followed the held end.
    for (const at of endMarks) assert.ok(at === 110 || at === 510, `end marks at ${endMarks}`);
    assert.deepEqual(farEnd.gaps(2), [], "what followed played without a gap");
    await transport.close();
  });
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`: a reply written while its predecessor's held end waits for its send plays without a hole`, async () => {
    const serializer = make();
    const session: { clock?: FakeClock } = {}; // the call's, once made
    const tailSent = answersTailLate(serializer, () => session.clock!, TAIL_MS * 16); // 8 kHz PCM16
    const { clock, pair, transport } = narrowbandCall(serializer, {
      audioOut: { sampleRate: 8000, chunkMs: 20 },
    });
    session.clock = clock;
    const log = forkFarEnd(clock, pair, { metadata: FORK_METADATA, closeOnDisconnect: false });
    transport.receive(() => {});
    await clock.tick(10);
    for (let n = 0; n < 6; n++) {
      transport.send(forkAudio(n === 5 ? TAIL_MS : 20, 101, "r1"));
      await clock.tick(20);
    }
    while (!tailSent()) await clock.tick(1);
    await clock.tick(1);
    for (let n = 0; n < 20; n++) {
      transport.send(forkAudio(20, 102, "r2"));
      await clock.tick(20);
    }
    await clock.tick(1000);
    // The module's 20 ms ticks that played reply 2: back to back. Before: a 60 ms step, the
    // silence sent with the end-of-speech mark 20 ms into it.
    const ticks = log.played.filter(([, sample]) => sample === 102).map(([at]) => at);
    assert.equal(ticks.length, 20);
    const steps = ticks.slice(1).map((at, i) => at - ticks[i]!);
    assert.deepEqual(steps.filter((ms) => ms !== 20), [], `ticks at ${ticks}`);
    await transport.close();
  });
}
