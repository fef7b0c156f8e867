// mod_audio_fork (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899, simulated in
// fixtures/fork_module_playout.ts): a bot's mark at a reply's end, with the transport's marks on
// and `sendAheadMs` over two chunks. The reply's last part (under a batch) waits in the module's
// pre-buffer until the silence that completes the batch comes, at the transport's quiet time
// (`max(sendAheadMs, 2 × chunkMs)`) after the last chunk. The mark's command, held for the next
// binary message, went alone two chunks after it: into the module's inventory, answered on the
// first 20 ms tick that found the playout buffer empty (:1029-1041), while that last part still
// waited: up to a batch early. It now waits for the stretch's end, and goes right before the
// silence: answered once the reply has played, whatever the send-ahead.
import assert from "node:assert/strict";
import {
  FORK_SERIALIZERS,
  forkAudio as audio,
  forkMarkSession,
} from "./fixtures/fork_serializers.ts";

// [sendAheadMs, replyMs]: a reply that fits in the send-ahead, one longer, and one at 1 s ahead.
const CASES: [number, number][] = [[200, 3000], [300, 250], [500, 450], [500, 1000], [1000, 1000]];

for (const [name, make] of FORK_SERIALIZERS) {
  for (const [sendAheadMs, replyMs] of CASES) {
    Deno.test(`\`${name}\` with sendAheadMs ${sendAheadMs}, a ${replyMs} ms reply: the bot's mark at its end is answered once it has played`, async () => {
      const { clock, transport, answered, lastPlayed } = forkMarkSession(make, { sendAheadMs });
      await clock.tick(10);
      transport.send(audio(replyMs, 7, "r"));
      transport.send({ type: "mark", name: "done" });
      await clock.tick(6000);
      const played = lastPlayed(7);
      assert.ok(
        answered.done! >= played,
        `"done" answered at ${answered.done} ms, the reply played until ${played} ms`,
      );
      // And not long after: the quiet time, a chunk, and the batch's own playing at most.
      assert.ok(answered.done! <= played + Math.max(sendAheadMs, 40) + 20 + 100);
      await transport.close();
    });
  }
}
