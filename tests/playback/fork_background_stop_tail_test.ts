// Background audio that stops with no mark pending, against the simulator's mod_audio_fork far end
// (src/simulator/far_ends/_audio_fork.ts, built from jambonz/freeswitch-modules
// mod_audio_fork/lws_glue.cpp at 30f21899). The module moves its pre-buffer to the playout buffer
// only in whole batches of 640 samples (processIncomingBinary, :108-116), and `killAudio` empties
// only the playout buffer, so nothing but more audio lets the pre-buffer go. Background in 40 ms
// chunks leaves half a batch there after an odd number of them: that last part played only with
// the next reply, glued to its start (40 ms of background, then the reply, which `speakingstart`
// read that much early). Now the silence that completes the batch goes as the background stops,
// as the end-of-speech flush does for a reply: its end plays on without a break.
import assert from "node:assert/strict";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { FORK_BACKGROUND as BACKGROUND, forkBackgroundCall } from "./_fork_background_call.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  for (const stopAt of [1000, 1040]) {
    Deno.test(`\`${name}\`, background stopping with no mark pending (at ${stopAt} ms): its end plays as it stops, not glued to the next reply's start`, async () => {
      const { clock, transport, playedRuns, stop } = forkBackgroundCall(make);
      const starts: number[] = [];
      transport.addEventListener("speakingstart", () => starts.push(clock.now()));
      await clock.tick(10);
      // A reply over the background, its end-of-speech mark answered; the background plays on.
      for (let t = 0; t < 300; t += 20) {
        transport.send(forkAudio(20, 101, "r1"));
        await clock.tick(20);
      }
      await clock.tick(stopAt - 310);
      assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent, "marks pending");
      stop();
      await clock.tick(1000);
      const writtenAt = clock.now();
      for (let t = 0; t < 200; t += 20) {
        transport.send(forkAudio(20, 102, "r2"));
        await clock.tick(20);
      }
      await clock.tick(700);
      const runs = playedRuns();
      const heard = runs.findIndex((run) => run.value === BACKGROUND);
      const reply = runs.findIndex((run) => run.value === 102);
      const lastBackground = runs.findLastIndex((run) => run.value === BACKGROUND);
      // The background's last sample played before the next reply was written...
      const ended = runs[lastBackground]!.at + runs[lastBackground]!.ms;
      assert.ok(
        ended <= writtenAt,
        `background played until ${ended}, reply written at ${writtenAt}`,
      );
      // ...on from the rest of it, without a break (after the first reply's end).
      const afterReply1 = runs.findLastIndex((run) => run.value === 101);
      const gaps = runs.slice(Math.max(heard, afterReply1), lastBackground)
        .filter((run) => run.value === 0);
      assert.deepEqual(gaps, [], "a gap in the background");
      assert.equal(runs[reply - 1]!.value, 0, "what played right before the reply");
      // The reply's start as the module plays it (before: 40 ms early, the background's part
      // playing first), within a sample: the marker the module plays in the reply's first tick,
      // which the transport counts a sample's time (`ForkBuffers.heldMs`), the speaker here not.
      const early = runs[reply]!.at - starts.at(-1)!;
      assert.ok(
        Math.abs(early) <= 1 / 8,
        `speakingstart at ${starts}, played at ${runs[reply]!.at}`,
      );
      assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent);
      await transport.close();
    });
  }
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, background short of a chunk for a read (its slot filled 10 ms late): no silence put in it`, async () => {
    const { clock, transport, playedRuns, stop, resume } = forkBackgroundCall(make);
    await clock.tick(10);
    for (let t = 0; t < 300; t += 20) {
      transport.send(forkAudio(20, 101, "r1"));
      await clock.tick(20);
    }
    // As above, half a batch in the pre-buffer as the background's next slot (1080 ms) finds
    // nothing; it has its chunk 10 ms later.
    await clock.tick(1040 - 310);
    stop();
    await clock.tick(50);
    resume();
    await clock.tick(500);
    const runs = playedRuns();
    const afterReply1 = runs.findLastIndex((run) => run.value === 101);
    const lastBackground = runs.findLastIndex((run) => run.value === BACKGROUND);
    assert.ok(runs.at(-1)!.value === BACKGROUND, "the background plays on");
    // The flush waits a slot: the late chunk completes the batch, as background does.
    const gaps = runs.slice(afterReply1 + 1, lastBackground).filter((run) => run.value === 0);
    assert.deepEqual(gaps, [], "silence in the background");
    await transport.close();
  });
}
