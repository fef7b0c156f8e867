// Each bot reply (a spell) and each caller stretch starts the recording's resampler afresh, from
// silence, and a reply usually starts loud. Down to an 8 kHz recording, 16 and 24 kHz audio went
// through a decimator that rang hard on a loud first sample (a constant 2313 came out from −1008
// to 5833 at 16 kHz, 583 to 3985 at 24 kHz: a click at every reply's onset), where the same reply
// after silence inside one stretch peaks at 2630 (sox: 2494). See
// tests/audio/resampler_loud_start_test.ts. The recorder is driven as a transport drives an
// observer (`SessionObserver`), on a fake clock.
import assert from "node:assert/strict";
import { type AudioFrame, CallRecorder } from "../../mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { collect, toldChunk } from "./_call.ts";
import { parseWav } from "./_wav.ts";

/** 20 ms at `rate` Hz, every sample `value`. */
function chunk(rate: number, value: number): AudioFrame {
  const samples = new Int16Array(rate / 50).fill(value);
  return { type: "audio", audio: new Uint8Array(samples.buffer), sampleRate: rate, channels: 1 };
}

for (const rate of [16000, 24000]) {
  Deno.test(`\`CallRecorder\` at 8 kHz records a ${rate / 1000} kHz reply and caller stretch that start loud without ringing`, async () => {
    const clock = new FakeClock();
    const recorder = new CallRecorder({ clock, sampleRate: 8000, layout: "separate" });
    recorder.observing({ clock });
    const callerWav = collect(recorder.caller);
    const botWav = collect(recorder.bot);
    await clock.tick(100);
    for (let i = 0; i < 10; i++) { // a 200 ms reply, loud from its first sample
      await clock.tick(20);
      recorder.outboundAudio(chunk(rate, 2313), toldChunk(20 * i, clock.now()));
    }
    await clock.tick(1500); // the caller speaks after a pause: a stretch of its own
    for (let i = 0; i < 10; i++) {
      await clock.tick(20);
      recorder.inboundAudio(chunk(rate, 2313), clock.now());
    }
    await clock.tick(2000);
    recorder.stop();
    for (const [who, wav] of [["bot", botWav], ["caller", callerWav]] as const) {
      const samples = parseWav(await wav).samples[0]!;
      // The elliptic filter's own overshoot on a step (2630 after silence), no more.
      assert.ok(Math.max(...samples) <= 2700, `${who}: max ${Math.max(...samples)}`);
      assert.ok(Math.min(...samples) >= 0, `${who}: min ${Math.min(...samples)}`);
    }
  });
}
