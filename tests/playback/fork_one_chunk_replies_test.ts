// mod_audio_fork (jambonz, FreeSWITCH: jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at
// 30f21899, simulated in tests/serializers/fixtures/fork_module_playout.ts) plays whole batches of
// 640 samples (:108-116): a reply shorter than a batch waits in the module's pre-buffer until
// silence completes it, flushed with its end-of-speech mark. The delay the marks teach must fit
// every reply alike: a mark of one reply's that the module held, flushing that reply's pre-buffer
// sooner than the others' (as a mark after each reply's first chunk did, tried in 6bdecbd and
// reverted), would teach a delay the other replies do not have.
import assert from "node:assert/strict";
import {
  FORK_SERIALIZERS,
  forkAudio,
  forkMarkSession,
} from "../serializers/fixtures/fork_serializers.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, one-chunk replies: speakingstart as the module begins to play each`, async () => {
    const { clock, transport, log } = forkMarkSession(make);
    const starts: number[] = [];
    transport.addEventListener("speakingstart", () => starts.push(clock.now()));
    await clock.tick(10);
    for (let reply = 1; reply <= 6; reply++) {
      transport.send(forkAudio(20, 100 + reply, `r${reply}`));
      await clock.tick(1020);
    }
    // `log.played`: each 20 ms tick of the module's playout, with its first sample.
    const began = starts.map((_, i) => log.played.find(([, sample]) => sample === 101 + i)![0]);
    // From the third reply on (the first has no measure yet). At 6bdecbd: 60 ms early, the
    // second reply's pre-buffer flushed a chunk after its stretch ended (its extra mark's held
    // command armed `ForkMarks`' flush timer), the later ones' only with their end-of-speech
    // mark, 80 ms later.
    assert.deepEqual(starts.slice(2), began.slice(2));
    await transport.close();
  });
}
