// Two writes a whole millisecond apart are two turns of the event loop, not one: what the first
// sent left when that turn ended. Taken for one turn (the slack reaching up to the second's
// reading), the second's reading was taken for work that held the first's audio, and the first
// was told as moved to it: a real-time bot's frame that found the far end run dry at 41 ms, its
// next frame written at 42 ms, was told (and recorded) as playing from 42; the caller heard it
// from 41. The far end (`tests/_fake_far_end.ts`, no jitter buffer) plays raw PCM as it arrives.
import assert from "node:assert/strict";
import { CallRecorder } from "../mod.ts";
import { botRuns, stallCall, toldPlaces } from "./_stall_call.ts";

Deno.test("frames written at 0, 20, 41 and 42 ms: the 3rd is told and recorded where the far end played it", async () => {
  const s = stallCall({ chunkMs: 20 });
  const { told, moves, observer } = toldPlaces();
  s.transport.observe(observer);
  const recorder = new CallRecorder({ clock: s.clock, sampleRate: 16000 });
  s.transport.observe(recorder);
  const wav = new Response(recorder.readable).arrayBuffer();
  await s.clock.tick(0);
  const start = s.clock.now();
  for (const [at, next] of [[0, 20], [20, 41], [41, 42], [42, 200]] as const) {
    s.say(20); // one real-time frame: one chunk
    await s.clock.tick(next - at);
  }
  const played = s.farEnd.played.filter((p) => p.value === 7).map((p) => p.at - start);
  assert.deepEqual(played, [0, 20, 41, 61], "the far end ran dry at 40 and played the 3rd from 41");
  assert.deepEqual(moves.map((m) => `${m.position} at ${m.playsAt - start}`), []);
  assert.deepEqual(told.map((c) => c.playsAt - start), played);
  s.pair.client.close(1000);
  await s.transport.closed;
  assert.deepEqual(botRuns(await wav), ["0-40", "41-81"]);
});
