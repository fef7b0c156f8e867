// Plivo's "Stream Event Protocol" (plivo.com/docs/voice/audio-streaming/audio-streaming, "Messages
// to Plivo": `playAudio`, `checkpoint`, `clearAudio`, `sendDTMF`) carries DTMF to the call as
// `{"event": "sendDTMF", "dtmf": "…"}`. None of Plivo's documents read for this offers the keypad
// letters A-D for it (the Call API's "Send digits on an active call" says "set of digits"), so
// only the telephone keypad's 0-9, `*` and `#` go; a bot's letter (or anything not one keypress) is
// refused before it leaves: an "encode" error, counted in `encodeErrors`, and the session goes on.
// From the caller, every key of the `dtmf` frame's keypad still comes in ("dtmf" message).
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import {
  lettersRefusedThroughTransport,
  NOT_PHONE_KEYS,
  PHONE_KEYS,
} from "./fixtures/keypad_letters.ts";

const START = JSON.stringify({
  event: "start",
  start: {
    callId: "c0ffee00-0000-4000-8000-000000000001",
    streamId: "5e7ea000-0000-4000-8000-000000000002",
    mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000 },
  },
});

Deno.test("`PlivoSerializer` sends the phone keypad's digits as `sendDTMF` and refuses the rest with an encode error", () => {
  const plivo = new PlivoSerializer();
  plivo.deserialize(START);
  for (const digit of PHONE_KEYS) {
    assert.deepEqual(JSON.parse(plivo.serialize({ type: "dtmf", digit }) as string), {
      event: "sendDTMF",
      dtmf: digit,
    });
  }
  for (const digit of NOT_PHONE_KEYS) {
    assert.throws(
      () => plivo.serialize({ type: "dtmf", digit }),
      (e: TransportError) =>
        e.code === "encode" && e.message.includes(JSON.stringify(digit)) &&
        /sendDTMF plays 0-9, \* and # only/.test(e.message),
      digit,
    );
  }
});

Deno.test("`PlivoSerializer` takes the keypad's letters A-D from the caller", () => {
  const plivo = new PlivoSerializer();
  plivo.deserialize(START);
  const dtmf = (digit: string) => JSON.stringify({ event: "dtmf", dtmf: { digit } });
  assert.deepEqual(plivo.deserialize(dtmf("D")), { type: "dtmf", digit: "D" });
  assert.deepEqual(plivo.deserialize(dtmf("b")), { type: "dtmf", digit: "B" });
});

Deno.test("`PlivoSerializer` through a transport: a bot's keypad letter is counted and reported, and the session goes on", async () => {
  await lettersRefusedThroughTransport(
    new PlivoSerializer(),
    (digit) => ({ event: "sendDTMF", dtmf: digit }),
    START, // Plivo's messages go to the stream its start names
  );
});
