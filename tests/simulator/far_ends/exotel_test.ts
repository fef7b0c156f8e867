// The Exotel far end in both of Exotel's encodings against ExotelSerializer, which learns the
// stream's format from `start`: PCM16 little-endian (`audio/x-raw`, the Voicebot applet's format:
// the `start` example of https://developer.exotel.com/docs/agentstream/websocket-protocol) and
// μ-law at 8 kHz, the MediaFormat `audio/x-mulaw;rate=8000` of the beta extension guide, section
// "1. Media Format" (https://developer.exotel.com/docs/agentstream/stream-voicebot-extension),
// and the default `content_type` of the Legs API's `start_stream`
// (https://developer.exotel.com/docs/exoml/verbs/stream). No page shows a μ-law stream's `start`:
// the far end sends the protocol page's, its `encoding` that documented MediaFormat.
import assert from "node:assert/strict";
import { mulawDecode, mulawEncode } from "../../../src/audio/g711.ts";
import type { Frame } from "../../../src/frames.ts";
import { ExotelSerializer } from "../../../src/serializers/exotel.ts";
import { FAR_ENDS } from "../../../src/simulator/far_ends.ts";
import { Heard, speech, startCall } from "../../playback/_provider_call.ts";

/** The caller's level: loud enough to be speech, exact in PCM16, one G.711 level in μ-law. */
const CALLER_LEVEL = 4000;

/** An ExotelSerializer that keeps the caller's audio as the bot's transport got it. */
class RecordingExotel extends ExotelSerializer {
  readonly samples: number[] = [];

  override deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    const out = super.deserialize(data);
    for (const frame of [out ?? []].flat()) {
      if (frame.type === "audio") this.samples.push(...new Int16Array(frame.audio.slice().buffer));
    }
    return out;
  }
}

const ENCODINGS = [
  {
    encoding: undefined,
    mediaFormat: { encoding: "audio/x-raw", sample_rate: "8000", bit_rate: "16" },
    bytesPerSample: 2,
    callerLevel: CALLER_LEVEL,
  },
  {
    encoding: "audio/x-mulaw",
    mediaFormat: { encoding: "audio/x-mulaw;rate=8000", sample_rate: "8000", bit_rate: "8" },
    bytesPerSample: 1,
    // G.711's reconstruction of the caller's level: what a μ-law wire carries of it.
    callerLevel: mulawDecode(mulawEncode(Int16Array.of(CALLER_LEVEL)))[0]!,
  },
];

for (const c of ENCODINGS) {
  const name = c.encoding ?? "audio/x-raw (the default)";
  Deno.test(`simulateCall as exotel in ${name} talks to ExotelSerializer: its start, audio both ways, marks`, async () => {
    const exotel = new RecordingExotel();
    const call = startCall(
      {
        protocol: "exotel",
        serializer: () => exotel,
        rate: 8000,
        // 400 ms at 8 kHz: 3,200 bytes of μ-law, Exotel's smallest chunk (6,400 of PCM16).
        chunkMs: 400,
        platform: c.encoding === undefined ? {} : { encoding: c.encoding },
        transport: { audioIn: { sampleRate: 8000, channels: 1 } },
      },
      { jitterMs: 0, returnMs: 0 },
      {
        // One second of the caller's speech, then silence.
        audio: {
          pcm: new Uint8Array(new Int16Array(8000).fill(CALLER_LEVEL).buffer),
          sampleRate: 8000,
          speechSegments: [{ startMs: 0, endMs: 1000 }],
        },
        hangUpAtMs: 3000,
      },
      (frame, transport) => {
        if (frame.type !== "start") return;
        transport.send(speech(1200, 8000, "hello"));
        transport.send({ type: "mark", name: "hello-done" });
      },
    );
    await call.clock.tick(5000);
    const report = await call.report;
    assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
    assert.equal(report.ended.by, "caller");

    // The start announces the stream's format; each 100 ms of caller audio is that many bytes.
    const messages = call.arrivals.map((a) => JSON.parse(a.text));
    const start = messages.find((m) => m.event === "start");
    assert.deepEqual(start.start.media_format, c.mediaFormat);
    const payloads = messages.filter((m) => m.event === "media").map((m) =>
      atob(m.media.payload).length
    );
    assert.ok(payloads.length >= 10, `${payloads.length} media messages`);
    assert.deepEqual(new Set(payloads), new Set([800 * c.bytesPerSample]));

    // The bot heard the caller's level: the far end encoded it as the start said.
    assert.deepEqual(new Set(exotel.samples.slice(0, 8000)), new Set([c.callerLevel]));

    // The bot's 1,200 ms came back in three 400 ms chunks, decoded as the stream's encoding: all
    // of it received and played at its level, none cleared, no gap.
    assert.equal(report.audio.chunks, 3);
    assert.equal(report.audio.receivedMs, 1200);
    assert.equal(report.audio.playedMs, 1200);
    assert.equal(report.audio.clearedMs, 0);
    assert.equal(report.audio.underruns, 0);
    assert.equal(new Heard(report).msBefore(5000), 1200);
    // The transport's own playout marks and the bot's, each acknowledged once played.
    assert.equal(report.marks.acked, report.marks.requested);
    const marks = call.inbound.filter((i) => i.frame.type === "mark");
    assert.ok(marks.some((m) => m.frame.type === "mark" && m.frame.name === "hello-done"));
    assert.deepEqual(call.errors, []);
  });
}

Deno.test("the exotel far end refuses an encoding or a rate Exotel does not stream", () => {
  assert.throws(() => FAR_ENDS.exotel!({ encoding: "audio/L16" }), /got audio\/l16/);
  assert.throws(
    () => FAR_ENDS.exotel!({ encoding: "audio/x-mulaw", sampleRate: 16000 }),
    /audio\/x-mulaw at 8000 Hz, got audio\/x-mulaw at 16000/,
  );
  assert.throws(() => FAR_ENDS.exotel!({ sampleRate: 44100 }), RangeError);
  assert.equal(FAR_ENDS.exotel!({ encoding: "audio/x-mulaw" }).caller.sampleRate, 8000);
  // As start_stream's content_type writes it, in any case.
  for (const encoding of ["audio/x-mulaw;rate=8000", "Audio/X-Mulaw"]) {
    assert.equal(FAR_ENDS.exotel!({ encoding }).caller.sampleRate, 8000, encoding);
  }
});
