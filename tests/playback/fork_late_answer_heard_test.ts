// A reply relayed in real time to mod_audio_fork by an asynchronous serializer (a remote encoder,
// a worker: `FrameSerializer.serialize` may return a promise): the part of the reply the module's
// pre-buffer held (fork_real_time_heard_test.ts) is let go by the chunk that completes the batch,
// which leaves only with its answer, 25 ms later here (under the 40 ms chunk). Counted let go as
// that chunk was taken, the held part read as playing from then, and was placed to play from
// then: `heardMs` ran 40 ms ahead of the module (a chunk). It must follow the module as closely as
// with an answer at once: within one of the module's 20 ms ticks (the measure's own grain).
//
// The far end: the simulated module (tests/serializers/fixtures/fork_module_playout.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899: processIncomingBinary
// :108-116, whole batches of 640 samples; dub_speech_frame :930-1050, a 20 ms frame a tick).
import assert from "node:assert/strict";
import { FORK_SERIALIZERS, relayedInRealTime } from "../serializers/fixtures/fork_serializers.ts";
import { lateForkCall } from "./_late_fork_call.ts";

const REPLY_MS = 220;
/** Later than the 3 ms the other fork_late_answer tests use: most of the transport's 40 ms chunk. */
const LATE_MS = 25;

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` answering audio later, replies relayed in real time: heardMs within a tick of the module`, async () => {
    const { clock, transport, log } = lateForkCall(make, LATE_MS);
    await clock.tick(10);
    const ahead: number[] = [];
    const behind: number[] = [];
    for (let reply = 1; reply <= 4; reply++) {
      const { most, least } = await relayedInRealTime(clock, transport, log, reply, REPLY_MS);
      ahead.push(most);
      behind.push(least);
      assert.equal(transport.playback.heardMs, REPLY_MS, `reply ${reply} heard whole`);
    }
    // From the second reply on (the first is heard up to its first chunk before the first answer).
    // Before: 29.875,40,20,40.
    for (const most of ahead.slice(1)) assert.ok(most <= 20, `heardMs ahead by ${ahead}`);
    for (const least of behind.slice(1)) assert.ok(least >= -20, `heardMs behind by ${behind}`);
    await transport.close();
  });
}
