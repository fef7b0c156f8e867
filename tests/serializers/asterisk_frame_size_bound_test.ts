import assert from "node:assert/strict";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { TransportError } from "../../src/errors.ts";

// docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Media Transfer": "The maximum
// websocket message size the underlying websocket code can handle is 65500 bytes" (a larger one
// is refused: res_http_websocket.c "Cannot fit huge websocket frame", and the session ends). The
// largest frame chan_websocket names is slin192's 7,680 bytes (main/codec_builtin.c): a
// MEDIA_START whose optimal_frame_size no message can carry whole is no channel to send to.
Deno.test("`AsteriskSerializer` refuses a MEDIA_START whose optimal_frame_size no 65,500-byte message can carry", () => {
  const asterisk = new AsteriskSerializer();
  asterisk.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  for (const size of [65_502, 100_000_000]) {
    assert.throws(
      () =>
        asterisk.deserialize(
          `MEDIA_START connection_id:c1 channel:WebSocket/c1/0x1 channel_id:1.1 format:slin ` +
            `optimal_frame_size:${size} ptime:20`,
        ),
      (e) => e instanceof TransportError && e.code === "decode" && /65,500/.test(e.message),
      `optimal_frame_size ${size}`,
    );
  }
  // Refused, it changed nothing: 20 ms of μ-law leaves in a whole 160-byte frame, as before it.
  const out = asterisk.serialize({
    type: "audio",
    audio: new Uint8Array(320),
    sampleRate: 8000,
    channels: 1,
  }) as (string | Uint8Array)[];
  assert.deepEqual(out.map((m) => typeof m === "string" ? m : m.length), [
    "START_MEDIA_BUFFERING",
    160,
  ]);
  // The largest frame a message carries whole is taken.
  asterisk.deserialize(
    "MEDIA_START connection_id:c1 channel:WebSocket/c1/0x1 channel_id:1.1 format:slin " +
      "optimal_frame_size:65500 ptime:20",
  );
});
