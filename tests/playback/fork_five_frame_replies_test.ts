// mod_audio_fork (jambonz, FreeSWITCH: jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at
// 30f21899, simulated in tests/serializers/fixtures/fork_module_playout.ts) moves what arrives to
// its playout buffer only in whole batches of 640 samples (:108-116): of a 100 ms reply, the last
// 20 ms wait in the module's pre-buffer until the silence after the reply completes the batch. A
// reply that follows begins in the pre-buffer too: its start has left, yet none of it plays while
// the module holds all of it (`FarEndHold.heldMs`). `speakingstart` comes as the module plays it.
import assert from "node:assert/strict";
import {
  FORK_SERIALIZERS,
  forkAudio,
  forkMarkSession,
} from "../serializers/fixtures/fork_serializers.ts";

/** How the bot writes each 100 ms reply: five 20 ms frames at once, or one every 20 ms. */
const WRITES = ["at once", "in real time"] as const;

for (const [name, make] of FORK_SERIALIZERS) {
  for (const writes of WRITES) {
    Deno.test(`\`${name}\`, 100 ms replies of five frames (${writes}): speakingstart as the module begins to play each`, async () => {
      const { clock, transport, log } = forkMarkSession(make);
      const starts: number[] = [];
      transport.addEventListener("speakingstart", () => starts.push(clock.now()));
      await clock.tick(10);
      for (let reply = 1; reply <= 6; reply++) {
        for (let frame = 0; frame < 5; frame++) {
          transport.send(forkAudio(20, 100 + reply, `r${reply}`));
          if (writes === "in real time") await clock.tick(20);
        }
        await clock.tick(writes === "in real time" ? 920 : 1020);
      }
      // `log.played`: each 20 ms tick of the module's playout, with its first sample.
      const began = starts.map((_, i) => log.played.find(([, sample]) => sample === 101 + i)![0]);
      assert.equal(starts.length, 6, "one speakingstart a reply");
      // From the second reply on (the first has no measure yet). Within a millisecond: a sample
      // (0.125 ms) is the grain here. A marker does take a sample's time, as `FarEndHold.heldMs`
      // counts it: the module takes a tick's 160 entries from its playout buffer, markers among
      // them (lws_glue.cpp:993-1024), but plays the audio after a marker from the frame's start.
      // Before the hold bounded a reply's start, written in real time each began 40 ms early: its
      // first 80 ms had left, all of it held until the next batch.
      const off = starts.slice(1).map((at, i) => at - began[i + 1]!);
      assert.ok(off.every((ms) => Math.abs(ms) < 1), `speakingstart off by ${off} ms`);
      await transport.close();
    });
  }
}
