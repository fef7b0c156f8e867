// The formats `TelnyxSerializer` takes from a start's `media_format`: those Telnyx documents, no
// other. The far end's start is the one of Telnyx's "Stream call media over WebSocket" AsyncAPI
// reference (developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket:
// `start.media_format` `{ encoding, sample_rate, channels }`, PCMU at 8000 in its example), in
// each codec Call Control's "Start streaming" lets `stream_codec` be ("PCMU, PCMA, G722, OPUS,
// AMR-WB, L16"), L16 at each rate its sampling rate may be ("8000, 16000, 22050, 24000, 48000",
// developers.telnyx.com/api-reference/call-commands/streaming-start), and G722 at 8000 (RTP's
// clock for it, RFC 3551 §4.5.2) or 16000 (its audio's): the reference states no rate for it.
// A start announcing a rate Telnyx does not stream its codec at (PCMU at 32 kHz, L16 at 44.1 kHz:
// rates the resampler converts) is refused as OPUS is: a decode error naming the field and
// value, its ids kept, its media refused until a start we decode.
import assert from "node:assert/strict";
import type { Frame } from "@x/ws-transport";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { refusedStartCall } from "./fixtures/refused_start_call.ts";
import { telnyxIds, telnyxStart } from "./fixtures/telnyx_call.ts";

/** A `media` message of 20 ms of silence in `codec` at `rate` (G722's bytes: a byte a tick). */
function media(codec: string, rate: number, chunk = 1): string {
  const ticks = codec === "G722" ? 160 : rate / 50;
  const bytes = codec === "L16"
    ? new Uint8Array(ticks * 2)
    : new Uint8Array(ticks).fill(codec === "PCMA" ? 0xd5 : codec === "G722" ? 0xfc : 0xff);
  return JSON.stringify({
    event: "media",
    sequence_number: String(chunk + 1),
    stream_id: telnyxIds.stream,
    media: {
      track: "inbound",
      chunk: String(chunk),
      timestamp: String(chunk * 20),
      payload: bytes.toBase64(),
    },
  });
}

const DOCUMENTED: [codec: string, rate: number, audioRate: number][] = [
  ["PCMU", 8000, 8000],
  ["PCMA", 8000, 8000],
  ["G722", 8000, 16000],
  ["G722", 16000, 16000],
  ["L16", 8000, 8000],
  ["L16", 16000, 16000],
  ["L16", 22050, 22050],
  ["L16", 24000, 24000],
  ["L16", 48000, 48000],
];

for (const [codec, rate, audioRate] of DOCUMENTED) {
  Deno.test(`\`TelnyxSerializer\` takes ${codec} at ${rate} Hz and reads its media as ${audioRate} Hz audio`, () => {
    const telnyx = new TelnyxSerializer();
    // At the audio's rate, nothing is resampled: 20 ms in is 20 ms of PCM16 out, exactly.
    telnyx.setup({
      inputSampleRate: audioRate,
      inputChannels: 1,
      outputSampleRate: 8000,
      outputChannels: 1,
    });
    const start = telnyx.deserialize(telnyxStart(codec, rate)) as Frame;
    assert.equal(start.type, "start");
    const frames = [telnyx.deserialize(media(codec, rate))].flat() as Frame[];
    const audio = frames.filter((f) => f.type === "audio");
    assert.equal(audio.length, 1);
    assert.equal(audio[0]!.audio.length, (audioRate / 50) * 2, "20 ms at the announced rate");
  });
}

const UNDOCUMENTED: [codec: string, rate: number][] = [
  ["PCMU", 32000],
  ["PCMU", 16000],
  ["PCMA", 24000],
  ["L16", 44100],
  ["L16", 32000],
  ["L16", 12000],
];

for (const [codec, rate] of UNDOCUMENTED) {
  Deno.test(`\`TelnyxSerializer\` refuses a start of ${codec} at ${rate} Hz, and the call goes on`, async () => {
    const telnyx = new TelnyxSerializer();
    const wire = { start: telnyxStart, media, documented: ["PCMU", 8000] as [string, number] };
    const refusal = await refusedStartCall(telnyx, wire, codec, rate, () => {
      // The refused start's ids are kept: the call can be hung up.
      assert.equal(telnyx.streamId, telnyxIds.stream);
      assert.equal(telnyx.callControlId, telnyxIds.call);
    });
    assert.equal(
      refusal,
      `Telnyx: start.media_format.sample_rate is ${rate} for ${codec}: Telnyx streams PCMU and ` +
        "PCMA at 8000 Hz, G722 at 8000 or 16000, L16 at 8000, 16000, 22050, 24000 or 48000",
    );
  });
}

/** A start naming only its codec, as the reference's `media_format` may leave its rate out. */
const codecOnly = (encoding: string) =>
  JSON.stringify({
    event: "start",
    stream_id: telnyxIds.stream,
    start: { call_control_id: telnyxIds.call, media_format: { encoding, channels: 1 } },
  });

// G.711 has one rate, 8 kHz: RFC 3551 §4.5.14 fixes PCMU's and PCMA's RTP clock at 8000, and
// Telnyx documents them at no other (the AsyncAPI reference's start: PCMU at 8000). A start
// naming PCMU alone after an L16 stream at 16 kHz announces PCMU at 8 kHz: judged at the stream's
// 16 kHz it was refused, and every packet of the call with it.
for (const codec of ["PCMU", "PCMA"]) {
  Deno.test(`\`TelnyxSerializer\` reads ${codec} named without a rate at 8 kHz, whatever the stream's rate was`, () => {
    const telnyx = new TelnyxSerializer();
    telnyx.setup({
      inputSampleRate: 8000,
      inputChannels: 1,
      outputSampleRate: 8000,
      outputChannels: 1,
    });
    telnyx.deserialize(telnyxStart("L16", 16000));
    assert.equal((telnyx.deserialize(codecOnly(codec)) as Frame).type, "start");
    // 160 bytes of G.711 are 20 ms at 8 kHz: 160 samples out at 8 kHz, not 80 (read at 16 kHz).
    const frames = [telnyx.deserialize(media(codec, 8000))].flat() as Frame[];
    const audio = frames.filter((f) => f.type === "audio");
    assert.equal(audio.length, 1);
    assert.equal(audio[0]!.audio.length, 320, "20 ms at 8 kHz");
  });
}

Deno.test("`TelnyxSerializer` keeps the stream's rate for L16 named alone, and G722 at its own", () => {
  const telnyx = new TelnyxSerializer();
  telnyx.setup({
    inputSampleRate: 24000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  telnyx.deserialize(telnyxStart("L16", 24000));
  // L16 takes every rate Telnyx streams: named alone, it is the stream's 24 kHz.
  telnyx.deserialize(codecOnly("L16"));
  const frames = [telnyx.deserialize(media("L16", 24000))].flat() as Frame[];
  assert.equal(frames.filter((f) => f.type === "audio")[0]!.audio.length, 960, "20 ms at 24 kHz");
  // G722 named alone is at its own clock, whatever the stream's rate was.
  assert.equal((telnyx.deserialize(codecOnly("G722")) as Frame).type, "start");
});

Deno.test("`TelnyxSerializer` still judges a rate named alone by the stream's codec: PCMU at 16 kHz refused", () => {
  const telnyx = new TelnyxSerializer();
  telnyx.deserialize(telnyxStart("PCMU", 8000));
  const rateOnly = JSON.stringify({
    event: "start",
    stream_id: telnyxIds.stream,
    start: { call_control_id: telnyxIds.call, media_format: { sample_rate: 16000 } },
  });
  assert.throws(() => telnyx.deserialize(rateOnly), {
    code: "decode",
    message: /^Telnyx: start\.media_format\.sample_rate is 16000 for the stream's mulaw: Telnyx/,
  });
});

Deno.test("`TelnyxSerializer` refuses a little-endian PCM name: Telnyx's L16 is RTP's, big-endian", () => {
  // Read as little-endian, big-endian L16 would be loud noise; Telnyx names no other byte order.
  for (const name of ["audio/x-raw", "slin", "pcm16le"]) {
    assert.throws(() => new TelnyxSerializer().deserialize(telnyxStart(name, 16000)), {
      code: "decode",
      message: new RegExp(
        `unsupported start\\.media_format\\.encoding "${name.replace("/", "\\/")}"`,
      ),
    });
  }
});
