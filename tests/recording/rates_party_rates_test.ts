// Every rate the resampler takes (src/audio/_resampler_rates.ts; the README's recorder: "8, 12, 16,
// 22.05, 24, 32, 44.1, 48, 96 or 192 kHz; each party is resampled to it") is recorded at every
// recording rate, the caller's and the bot's alike: the rates the providers' wire formats bring
// (Telnyx L16 at 22.05 kHz, Asterisk's slin12 and slin44, a pipecat client at 44.1 kHz) reach the
// recorder at the transport's rate or the bot's, any of these. Audio a neighbour away from them
// (11025 beside 12000, 44000 beside 44100, 8001), or at the transport's bounds (1, 384000 Hz),
// cannot be converted: the recording ends there, its stream erroring with a RangeError that names
// the party and the rate and lists the rates that would do, and nothing is thrown at the transport
// (the session goes on: call_recorder_test.ts).
import assert from "node:assert/strict";
import { CallRecorder } from "../../mod.ts";
import { RESAMPLER_RATES } from "../../src/audio/resampler.ts";
import { FakeClock } from "../../src/testing/mod.ts";
import { pcmFrame, toldChunk } from "./_call.ts";
import { parseWav } from "./_wav.ts";

const CALLER = 1000;
const BOT = -2000;

/** 20 ms of a constant at `rate`. */
const chunkAt = (rate: number, value: number) =>
  pcmFrame(new Int16Array(rate / 50).fill(value), rate);

for (const recordingRate of RESAMPLER_RATES) {
  Deno.test(`\`CallRecorder\` at ${recordingRate} Hz records both parties at every rate the resampler takes`, async () => {
    for (const partyRate of RESAMPLER_RATES) {
      const clock = new FakeClock();
      const recorder = new CallRecorder({ clock, sampleRate: recordingRate, holdMs: 100 });
      const wav = new Response(recorder.readable).arrayBuffer();
      for (let t = 20; t <= 400; t += 20) {
        await clock.tick(20);
        recorder.inboundAudio(chunkAt(partyRate, CALLER), t);
        recorder.outboundAudio(chunkAt(partyRate, BOT), toldChunk(t - 20, t));
      }
      recorder.stop();
      const { samples, sampleRate } = parseWav(new Uint8Array(await wav));
      assert.equal(sampleRate, recordingRate);
      const [caller, bot] = samples;
      // Well inside both parties' audio (past the filters' start and before their end): the
      // constants, within the pass band's ±0.04 dB at 0 Hz.
      const at = Math.round(0.2 * recordingRate);
      const where = `${partyRate} Hz into ${recordingRate} Hz`;
      assert.ok(Math.abs(caller![at]! - CALLER) <= 5, `${where}: the caller ${caller![at]}`);
      assert.ok(Math.abs(bot![at]! - BOT) <= 10, `${where}: the bot ${bot![at]}`);
      assert.equal(recorder.stats.lateMs, 0, where);
    }
  });
}

const RATES_LISTED = RESAMPLER_RATES.join(", ");

for (const rate of [11025, 44000, 8001, 1, 384_000]) {
  for (const party of ["caller", "bot"] as const) {
    Deno.test(`\`CallRecorder\` ends its recording naming ${party} audio at ${rate} Hz and the rates it takes`, async () => {
      const clock = new FakeClock();
      const recorder = new CallRecorder({ clock, sampleRate: 16000 });
      const reader = recorder.readable.getReader();
      await reader.read(); // the streaming header
      await clock.tick(20);
      // 20 ms where the rate makes whole samples of it; a sample where it does not (1 Hz).
      const frame = pcmFrame(new Int16Array(Math.max(1, Math.round(rate / 50))), rate);
      if (party === "caller") recorder.inboundAudio(frame, 20);
      else recorder.outboundAudio(frame, toldChunk(0, 20));
      await assert.rejects(reader.read(), (error: Error) => {
        assert.ok(error instanceof RangeError);
        assert.equal(
          error.message,
          `CallRecorder: ${party} audio at ${rate} Hz cannot be resampled to 16000 Hz ` +
            `(rates: ${RATES_LISTED})`,
        );
        return true;
      });
      assert.equal(recorder.stopped, true);
    });
  }
}
