// An interruption while an asynchronous serializer still works on a chunk of the reply it stops
// (see fork_late_answer_after_interrupt_test.ts): the sender drops that chunk's answer, but the
// serializer had counted it into mod_audio_fork's pre-buffer, and the silence before `killAudio`
// was cut to complete the batch with it. Short of it, the batch stayed incomplete: the stopped
// reply's end sat in the pre-buffer (which `killAudio` leaves alone) and played at the next
// reply's start. The module: tests/serializers/fixtures/fork_module_playout.ts, built from
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp (processIncomingBinary :108-116: whole
// batches; processIncomingMessage :205-391: killAudio empties the playout buffer only).
import assert from "node:assert/strict";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { lateForkCall } from "./_late_fork_call.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` answering audio later: the stopped reply's end never plays after the interruption`, async () => {
    const { clock, transport, log } = lateForkCall(make);
    await clock.tick(10);
    for (let n = 0; n < 20; n++) {
      transport.send(forkAudio(20, 101, "r1"));
      await clock.tick(n < 19 ? 20 : 1); // the last one's answer still to come
    }
    await transport.interrupt();
    const cutAt = clock.now();
    await clock.tick(500);
    for (let n = 0; n < 10; n++) {
      transport.send(forkAudio(20, 102, "r2"));
      await clock.tick(20);
    }
    await clock.tick(1000);
    const after = log.played.filter(([at]) => at > cutAt).map(([, sample]) => sample);
    // Before: [101, 101, 102, …]: r1's held end opened r2.
    assert.ok(after.length > 0 && after.every((sample) => sample === 102), `${after}`);
    await transport.close();
  });
}
