// A reply relayed in real time to mod_audio_fork (jambonz, FreeSWITCH). The module moves audio to
// its playout buffer only in whole batches of 640 samples (jambonz/freeswitch-modules
// mod_audio_fork/lws_glue.cpp at 30f21899, processIncomingBinary :108-116; simulated in
// tests/serializers/fixtures/fork_module_playout.ts): a 220 ms reply written in 20 ms frames at
// 8 kHz leaves its last part below a batch in the module's pre-buffer until the end-of-speech
// mark's silence (or the reply's last chunk, flushed at the quiet time) completes it, a quiet time
// later. The module runs dry meanwhile, while the pacing estimate had that part played: `heardMs`
// was 40 ms ahead of the module, past the README's "while they agree, to about 20 ms" (one 20 ms
// tick of the module's is the measure's own grain). Now none of what the pre-buffer holds counts
// heard, and it plays from when the batch completes (`FarEndHold`).
import assert from "node:assert/strict";
import {
  FORK_SERIALIZERS,
  forkMarkSession,
  relayedInRealTime,
} from "../serializers/fixtures/fork_serializers.ts";

const REPLY_MS = 220;

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`, replies relayed in real time: heardMs no more than a tick ahead of the module`, async () => {
    const { clock, transport, log } = forkMarkSession(make);
    await clock.tick(10);
    const ahead: number[] = [];
    for (let reply = 1; reply <= 4; reply++) {
      const { most } = await relayedInRealTime(clock, transport, log, reply, REPLY_MS);
      ahead.push(most);
      // Not held short for good: all of it heard once the module has played it.
      assert.equal(transport.playback.heardMs, REPLY_MS, `reply ${reply} heard whole`);
    }
    // The first reply is heard up to its first chunk before the first answer (README): from the
    // second on. Before: 40 each.
    for (const most of ahead.slice(1)) assert.ok(most <= 20, `heardMs ahead by ${ahead}`);
    await transport.close();
  });
}
