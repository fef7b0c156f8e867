import assert from "node:assert/strict";
import type { AudioFrame, Frame } from "../../mod.ts";
import {
  bothTracksMedia,
  PLIVO_EPOCH_MS,
  startedBothTracks,
} from "./fixtures/plivo_both_tracks_call.ts";
import { MULAW_SILENCE_20MS } from "./fixtures/twilio_call.ts";

// A stream of both tracks, built from Plivo's "Stream Event Protocol"
// (plivo.com/docs/voice/audio-streaming/audio-streaming, "start": `start.tracks`, "Audio tracks
// being streamed (e.g., ["inbound"], ["inbound", "outbound"])"; "media": `media.track`,
// `media.chunk`, `media.timestamp` in epoch ms) and the `<Stream>` element's `audioTrack="both"`
// (docs.plivo.com/docs/voice/xml/audiostream). Plivo does not say whether `chunk` counts each
// track or both: either way the caller's second of audio must come out as one second.

for (const counter of ["one counter across the tracks", "a counter per track"] as const) {
  Deno.test(`\`PlivoSerializer\` with both tracks streamed (${counter}) hears the caller's 1 s as 1 s`, () => {
    const { plivo } = startedBothTracks();
    const frames: Frame[] = [];
    let sequenceNumber = 1;
    for (let packet = 0; packet < 50; packet++) {
      const [outbound, inbound] = counter === "a counter per track"
        ? [packet + 1, packet + 1]
        : [2 * packet + 1, 2 * packet + 2];
      for (const [track, chunk] of [["outbound", outbound], ["inbound", inbound]] as const) {
        const out = plivo.deserialize(bothTracksMedia(
          ++sequenceNumber,
          track,
          chunk,
          PLIVO_EPOCH_MS + packet * 20,
          MULAW_SILENCE_20MS,
        ));
        if (out !== null) frames.push(...[out].flat());
      }
    }
    frames.push(...plivo.finish());
    const audio = frames.filter((frame): frame is AudioFrame => frame.type === "audio");
    const ms = audio.reduce((sum, frame) => sum + frame.audio.length / 2 / 8, 0);
    assert.equal(ms, 1000, "50 packets of 20 ms, no gap filled between them");
    assert.deepEqual(
      audio.map((frame) => frame.timestampMs),
      Array.from({ length: 50 }, (_, packet) => packet * 20),
    );
  });
}

Deno.test("`PlivoSerializer` with both tracks streamed loses no packet of a burst stamped alike", () => {
  // Plivo stamps `media.timestamp` in epoch ms: a burst (packets 4 and 5 sent together) may carry
  // the same stamp. Each is a new `chunk`, so none is a duplicate, and no silence goes between.
  const { plivo } = startedBothTracks();
  const loud = btoa(String.fromCharCode(...new Uint8Array(160))); // μ-law 0x00: not silence
  const frames: Frame[] = [];
  [0, 20, 40, 70, 70, 100, 120, 140, 160, 180].forEach((ms, packet) => {
    const out = plivo.deserialize(
      bothTracksMedia(packet + 2, "inbound", packet + 1, PLIVO_EPOCH_MS + ms, loud),
    );
    if (out !== null) frames.push(...[out].flat());
  });
  frames.push(...plivo.finish());
  const heard = frames.filter((frame): frame is AudioFrame => frame.type === "audio").map((frame) =>
    `${frame.audio.some((byte) => byte !== 0) ? "audio" : "silence"} ${frame.audio.length / 16}`
  );
  assert.deepEqual(heard, [
    ...new Array(3).fill("audio 20"),
    "silence 10",
    ...new Array(7).fill("audio 20"),
  ]);
});
