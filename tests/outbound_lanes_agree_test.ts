// The outbound pump's two lanes must agree. A frame that is exactly one whole chunk, with nothing
// queued and its slot due, leaves inside `send()` as the frame itself (`#sentAtOnce`, the real-time
// lane); anything else is cut by the chunker, queued, and sent by `#run` and the pacing timer. Seeded
// sessions (`_outbound_lanes.ts`) hand in the same audio as whole chunks, as half chunks, and as
// frames of a chunk and a half, on otherwise identical sessions on the fake clock, and compare what
// each shows: every message on the wire with its time, the speaking events with their fields, the
// interruptions' results, the marks the far end answered, `transport.playback` and
// `transport.stats` after every step and at the close (all counters but `framesOut`, which counts
// the frames handed in: checked against each lane's own count instead). The sessions: raw PCM (with
// and without `fixedAudioPacketSize`, each `lastPacket` policy) and Twilio (8 kHz, or resampled
// from 16 kHz) whose far end answers marks; real-time writing with jitter, bursts written ahead,
// replies ending in a part-chunk, silences past the quiet time, `interrupt()` mid-reply, new and
// untagged response ids, the bot's own marks, the far end pausing the sending (`pauseSending`)
// or not reading its socket, listeners writing from inside speaking events, `end` or `close()`.
// Speaking listeners that work on the clock are outbound_lanes_listener_work_test.ts's.
import assert from "node:assert/strict";
import { divergence, type Lane, runLane, scenario } from "./_outbound_lanes.ts";

const SEEDS = 120;

Deno.test("the outbound pump's real-time lane and its chunker lane show the same session, seed by seed", async () => {
  const problems: string[] = [];
  let marksAnswered = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const session = scenario(seed);
    const whole = await runLane(session, "whole");
    marksAnswered += whole.log.filter((line) => line.includes("far end answers mark")).length;
    // A listener that writes from inside a speaking event writes where the bot is in its own
    // frames: mid-frame for a chunk and a half, so the audio itself differs, by the bot's doing.
    const lanes: Lane[] = session.listeners === "write" ? ["halves"] : ["halves", "chunkAndHalf"];
    for (const lane of lanes) {
      const other = await runLane(session, lane);
      const found = divergence(whole, other, ["whole", lane]);
      if (found !== undefined) problems.push(`seed ${seed}, whole vs ${lane}: ${found}`);
      assert.equal(other.framesOut, other.framesHandedIn, `seed ${seed} ${lane}: framesOut`);
    }
    assert.equal(whole.framesOut, whole.framesHandedIn, `seed ${seed} whole: framesOut`);
  }
  assert.deepEqual(problems, []);
  assert.ok(marksAnswered > 100, `the far end answered ${marksAnswered} marks`);
});
