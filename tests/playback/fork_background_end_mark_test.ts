// Replies to mod_audio_fork (jambonz, FreeSWITCH) with background audio filling the slots between
// them, against the simulator's far end (src/simulator/far_ends/_audio_fork.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899). Each end-of-speech mark
// sent silence to move what the module's pre-buffer held into its playout buffer (`ForkMarks.tail`,
// up to a batch: processIncomingBinary moves only whole batches, :108-116). The background's own
// chunks do that already, and the silence was on no timeline: a gap in the background (60 ms after
// the second reply here), and every later chunk, the next reply's first, played that much later
// than the estimate (`speakingstart` 60 ms early). Now the mark's command rides with the
// background's next chunk, its marker where the mark stands (:80-101), and is answered as the
// module plays that place (dub_speech_frame :994-1010).
import assert from "node:assert/strict";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { FORK_BACKGROUND as BACKGROUND, forkBackgroundCall } from "./_fork_background_call.ts";

const REPLY_MS = 300;

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` with background between replies: no end-of-speech silence in it, each reply's start where the module plays it`, async () => {
    const { clock, transport, playedRuns } = forkBackgroundCall(make);
    const starts: number[] = [];
    const stops: number[] = [];
    transport.addEventListener("speakingstart", () => starts.push(clock.now()));
    transport.addEventListener("speakingstop", () => stops.push(clock.now()));
    await clock.tick(10);
    for (let reply = 1; reply <= 4; reply++) {
      // Relayed in real time, 20 ms writes, then the background alone for a while.
      for (let t = 0; t < 700; t++) {
        if (t % 20 === 0 && t < REPLY_MS) transport.send(forkAudio(20, 100 + reply, `r${reply}`));
        await clock.tick(1);
      }
    }
    const runs = playedRuns();
    const heard = runs.findIndex((run) => run.value === BACKGROUND);
    // Once the background plays, the module never plays silence: before, 60 ms after reply 2 and
    // 20 ms after replies 3 and 4.
    const gaps = runs.slice(heard).filter((run) => run.value === 0);
    assert.deepEqual(gaps, [], "silence in the background");
    // Each reply from the second on (the first is read by the estimate until the first answer,
    // README) begins, by `speakingstart`, when the module plays its first sample. Before: reply 3
    // read 60 ms early, reply 4 20 ms.
    const played = [2, 3, 4].map((n) => runs.find((run) => run.value === 100 + n)!.at);
    assert.deepEqual(starts.slice(1), played, `speakingstart at ${starts}`);
    // Each reply's end-of-speech mark answered (speakingstop) as the module plays its last sample.
    const ends = [1, 2, 3, 4].map((n) => {
      const last = runs.filter((run) => run.value === 100 + n).at(-1)!;
      return last.at + last.ms;
    });
    assert.deepEqual(stops, ends, "speakingstop at, the reply played whole at");
    assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent);
    await transport.close();
  });
}

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, background stopping right after an end-of-speech mark: the reply's end flushed at once, the mark answered as it plays`, async () => {
    // The background's next slot finds it stopped: the mark's command, held for its next chunk,
    // has none to ride with, and the pre-buffer holds the end of what was sent.
    const { clock, transport, playedRuns, filling } = forkBackgroundCall(make, {
      stopsAtEndMark: true,
    });
    const stops: number[] = [];
    transport.addEventListener("speakingstop", () => stops.push(clock.now()));
    await clock.tick(10);
    // The first reply's end is marked by the cadence's mark, the second's by an end-of-speech one.
    for (let reply = 1; reply <= 2; reply++) {
      for (let t = 0; t < 700; t++) {
        if (t % 20 === 0 && t < REPLY_MS) transport.send(forkAudio(20, 100 + reply, `r${reply}`));
        await clock.tick(1);
      }
    }
    assert.equal(filling(), false, "an end-of-speech mark was sent");
    const runs = playedRuns();
    // The reply's last 20 ms went last (the chunker held it to the quiet time), into the
    // pre-buffer: flushed at the background's first empty slot, it plays on without a break, not
    // after the module ran dry (60 ms, had it waited for the pump to take the background for
    // stopped); the mark is answered as its last sample plays.
    const heard = runs.findIndex((run) => run.value === BACKGROUND);
    const end = runs.findLastIndex((run) => run.value === 102);
    assert.deepEqual(runs.slice(heard, end).filter((run) => run.value === 0), [], "a gap");
    assert.equal(stops.at(-1), runs[end]!.at + runs[end]!.ms, "speakingstop at");
    assert.equal(transport.stats.marksAcknowledged, transport.stats.marksSent);
    await transport.close();
  });
}
