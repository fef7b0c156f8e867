/**
 * A Vonage reply the bot writes at 24 kHz, resampled to the call's rate, and what the far end can
 * read of it: the speech written, the samples of a binary message, the padding behind them
 * (vonage_reply_tail_test.ts, vonage_rate_change_tail_test.ts).
 *
 * @module
 */
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import type { AudioFrame } from "../../src/frames.ts";

/** The level every sample of the speech is held at. */
export const LEVEL = 6000;

/** `samples` of 24 kHz speech held at one level: never silence, after resampling too. */
export function speech24k(samples: number, responseId?: string): AudioFrame {
  const pcm = new Int16Array(samples).fill(LEVEL);
  const frame: AudioFrame = {
    type: "audio",
    audio: new Uint8Array(pcm.buffer),
    sampleRate: 24000,
    channels: 1,
  };
  return responseId === undefined ? frame : { ...frame, responseId };
}

/** The samples of a binary message. */
export const samplesOf = (bytes: Uint8Array) => new Int16Array(bytes.slice().buffer);

/** How many samples of silence end a frame: the padding behind the speech. */
export function trailingSilence(frame: Uint8Array): number {
  const samples = samplesOf(frame);
  let zeros = 0;
  for (let i = samples.length - 1; i >= 0 && samples[i] === 0; i--) zeros++;
  return zeros;
}

/** A Vonage serializer at 16 kHz whose bot speaks at 24 kHz: its replies are resampled. */
export function vonageFrom24kHz(): VonageSerializer {
  const vonage = new VonageSerializer({ sampleRate: 16000 });
  vonage.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 24000,
    outputChannels: 1,
  });
  return vonage;
}
