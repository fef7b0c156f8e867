/**
 * Audio helpers for voice sessions: PCM16 arithmetic, WAV headers, G.711 μ-law and A-law codecs,
 * a G.722 (wideband, 64 kbit/s) encoder and decoder, and a streaming resampler between the usual
 * telephony and speech rates (8, 16, 22.05, 24, 44.1 and 48 kHz): at 8 kHz flat to 3.4 kHz,
 * ≥ 83 dB of alias rejection and a SINAD ≥ 88 dB, faster than soxr as pipecat runs it, holding
 * back 0.25–0.7 ms at 8 kHz (at most 2.3 ms for any pair).
 * Codec and resampler outputs are cut from shared slabs unless given an `out` array (the
 * codecs) or `allocate` (the resampler): `slice()` one before transferring its buffer.
 *
 * @example μ-law 8 kHz from a phone call, up to 16 kHz for a speech recognizer
 * ```ts
 * import { mulawDecode, Resampler } from "@x/ws-transport/audio";
 * import assert from "node:assert/strict";
 *
 * const upsample = new Resampler({ inputRate: 8000, outputRate: 16000 });
 * const payload = new Uint8Array(160).fill(0xff); // 20 ms of μ-law silence
 * const pcm = upsample.process(mulawDecode(payload));
 * assert.ok(pcm.every((sample) => sample === 0));
 * assert.equal(pcm.length + upsample.flush().length, 320);
 * ```
 *
 * @module
 */

export * from "./pcm.ts";
export * from "./wav.ts";
export * from "./g711.ts";
export * from "./g722.ts";
export * from "./resampler.ts";
