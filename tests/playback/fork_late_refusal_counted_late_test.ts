// An asynchronous serializer that counts a chunk into mod_audio_fork's pre-buffer only after an
// `await` (a wrapper whose own work comes first), and refuses one chunk late (a remote encoder
// that failed after counting: `OutboundSender.refusedLate`). `ForkMarks` pairs each chunk's count
// with its answer (`FarEndHold.answerDue`/`answered`): announced before the chunk counted, the
// answer claimed the count made before it (the chunk before, or the silence that flushed the
// last reply), and the refusal undid that one, which had left, while the refused chunk stayed
// counted. The count no longer what the module holds, the silence after the reply was cut short
// and the reply's end waited in the module's pre-buffer for the next reply.
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
  for (const refused of [1, 2, 3]) {
    Deno.test(`\`${name}\` counting a chunk after an await, refusing reply 2's chunk ${refused} late: the reply's end plays before the next reply`, async () => {
      let r2Chunks = 0;
      const refuses = (frame: Frame) =>
        frame.type === "audio" && frame.responseId === "r2" && ++r2Chunks === refused;
      const { clock, transport, log } = lateForkCall(make, LATE_MS, { refuses, countsLate: true });
      await clock.tick(10);
      let thirdAt = 0;
      for (let reply = 1; reply <= 3; reply++) {
        if (reply === 3) thirdAt = clock.now();
        await relayedInRealTime(clock, transport, log, reply, REPLY_MS);
      }
      assert.equal(r2Chunks, 6, "reply 2 went in six chunks");
      const ticks = log.played.filter(([, sample]) => sample === 102).map(([at]) => at);
      assert.ok(
        ticks.length > 0 && Math.max(...ticks) < thirdAt,
        `reply 2 played at ${ticks}, reply 3 sent at ${thirdAt}`,
      );
      await transport.close();
    });
  }
}
