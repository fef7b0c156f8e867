// A playout move told at exactly the end of the bot's audio placed so far: the turn that sends the
// next chunk ran long (work inside `serialize`), and that chunk, and all after it, play later than
// the audio before them ended, after a gap the caller heard. The move names no audio the recorder
// holds; the next chunk, told after it with the later `playsAt`, still looked like the spell going
// on (its pacing deadline is where the spell ends), so the recorder took the later `playsAt` for a
// lag learned while none of the spell is written out, and moved the audio before it too. The far
// end here plays raw PCM as it arrives (tests/_fake_far_end.ts, no jitter buffer).
import assert from "node:assert/strict";
import { CallRecorder } from "../../mod.ts";
import { botRuns, stallCall } from "../_stall_call.ts";

Deno.test("`CallRecorder` records the audio before a move at the end of what it holds where it played, and the moved audio after a gap", async () => {
  // Two 20 ms writes at 40 and 41 ms (raw PCM 16 kHz, 20 ms chunks); `serialize` works 30 ms on
  // the second's chunk.
  const call = stallCall({ chunkMs: 20, serializeStall: { chunk: 2, ms: 30 } });
  const recorder = new CallRecorder({ sampleRate: 16000 });
  call.transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  await call.clock.tick(0);
  const start = call.clock.now();
  void call.clock.sleep(40).then(() => call.say(20));
  void call.clock.sleep(41).then(() => call.say(20));
  await call.clock.tick(300);
  call.pair.client.close(1000);
  await call.transport.closed;
  const heard = call.farEnd.played
    .filter((span) => span.value === 7)
    .map(({ at, ms }) => `${at - start}-${at - start + ms}`);
  assert.deepEqual(heard, ["40-60", "71-91"]);
  // Before: ["51-91"], the first chunk moved 11 ms late onto the gap, the gap gone.
  assert.deepEqual(botRuns(await wav), heard);
  assert.equal(recorder.stats.lateMs, 0);
});
