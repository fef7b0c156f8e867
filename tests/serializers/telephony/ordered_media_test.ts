import assert from "node:assert/strict";
import { OrderedMedia, TelephonyAudio } from "../../../src/serializers/telephony/mod.ts";
import { TransportError } from "../../../src/errors.ts";

const SILENCE_20MS = btoa(String.fromCharCode(...new Uint8Array(160).fill(0xff)));

function media() {
  const audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000, provider: "Globex" });
  audio.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  return new OrderedMedia({ audio, provider: "Globex" });
}

Deno.test("`OrderedMedia` names its provider in every decode error, the reorder stage's too", () => {
  const ordered = media();
  ordered.push({ sequence: 1, payload: SILENCE_20MS });
  for (
    const [message, pattern] of [
      [
        { sequence: 9007199254740993, payload: SILENCE_20MS },
        /^Globex: media sequence must be a safe number/,
      ],
      [{ sequence: 2.5, payload: SILENCE_20MS }, /^Globex: media sequence must be an integer/],
      [{ sequence: 3, payload: "%%%" }, /^Globex: media payload is not base64/],
    ] as const
  ) {
    assert.throws(
      () => ordered.push(message),
      (e) => e instanceof TransportError && e.code === "decode" && pattern.test(e.message),
    );
  }
  // The packets around the bad ones still come through.
  assert.equal(ordered.push({ sequence: 2, payload: SILENCE_20MS }).length, 1);
});
