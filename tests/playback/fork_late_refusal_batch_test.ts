// An asynchronous serializer refuses a chunk late (its promise answers with no message: a remote
// encoder that failed; `OutboundSender.refusedLate`), the chunk whose audio would have completed
// mod_audio_fork's batch: the module moves audio to its playout buffer only in whole batches, so
// without it the part of the reply held before it stays in the module's pre-buffer until the
// next chunk completes the batch. Counted let go as the refused chunk was taken, that part read
// as playing from then (`heardMs` a chunk ahead of the module), and the serializer's count of the
// pre-buffer held a chunk that never left: the silence after the reply, a chunk short, left the
// reply's end to play only at the next reply's start.
//
// The far end: the simulated module (tests/serializers/fixtures/fork_module_playout.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899: processIncomingBinary
// :108-116, whole batches of 640 samples; dub_speech_frame :930-1050, a 20 ms frame a tick).
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { FORK_SERIALIZERS, relayedInRealTime } from "../serializers/fixtures/fork_serializers.ts";
import { lateForkCall } from "./_late_fork_call.ts";

const REPLY_MS = 220;
const LATE_MS = 25;

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` refusing late the chunk that completes a batch: heardMs follows the module, the reply's end plays before the next reply`, async () => {
    let r2Chunks = 0;
    // Reply 2's second 40 ms chunk: the first batch (1280 samples) went with reply 1, whose end
    // the silence after it flushed; of reply 2, its first chunk (320 samples) waits, and its
    // second would complete the 640-sample batch.
    const refuses = (frame: Frame) =>
      frame.type === "audio" && frame.responseId === "r2" && ++r2Chunks === 2;
    const { clock, transport, log } = lateForkCall(make, LATE_MS, { refuses });
    await clock.tick(10);
    const ahead: number[] = [];
    let thirdAt = 0;
    for (let reply = 1; reply <= 3; reply++) {
      if (reply === 3) thirdAt = clock.now();
      const { most } = await relayedInRealTime(clock, transport, log, reply, REPLY_MS);
      ahead.push(most);
    }
    assert.equal(r2Chunks, 6, "reply 2 went in six chunks");
    const ticks = log.played.filter(([, sample]) => sample === 102).map(([at]) => at);
    // Before: its last 20 ms waited for reply 3's first batch.
    assert.ok(
      Math.max(...ticks) < thirdAt,
      `reply 2 played at ${ticks}, reply 3 sent at ${thirdAt}`,
    );
    // Within one of the module's 20 ms ticks (the measure's own grain), from the second reply on.
    for (const most of ahead.slice(1)) assert.ok(most <= 20, `heardMs ahead by ${ahead}`);
    await transport.close();
  });
}
