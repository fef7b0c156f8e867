// A reply relayed in real time to mod_audio_fork by an asynchronous serializer (its answers come
// 25 ms later), with background audio: after the reply, the background's chunks go on, and one of
// them completes the batch that holds the reply's end. The module moves what its pre-buffer holds
// to its playout buffer only in whole batches, as a binary message arrives (processIncomingBinary,
// jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899 :108-116; simulated in
// tests/serializers/fixtures/fork_module_playout.ts). So what the serializer counts held
// (`FarEndHold.heldMs`, which the tracker counts unheard) may fall to nothing only as a binary
// message reaches the module. A background chunk's answer was not counted due (the pump counts
// only speech in `sendsUnderWay`): the reply's end counted let go as the chunk was taken, and
// read as playing an answer's delay before the module had it.
import assert from "node:assert/strict";
import type { OutboundMixer } from "../../mod.ts";
import { FAR_END_HOLDS } from "../../src/serializers/_far_end_holds.ts";
import { FORK_SERIALIZERS, forkAudio } from "../serializers/fixtures/fork_serializers.ts";
import { level } from "../serializers/fixtures/narrowband_call.ts";
import { lateForkCall } from "./_late_fork_call.ts";

const REPLY_MS = 220;
const LATE_MS = 25;

/** Background at level 7, a 40 ms chunk (the transport's default) at 8 kHz a fill. */
const background = (): OutboundMixer => ({
  attach() {},
  mix: (chunk) => chunk,
  fill: () => ({ type: "audio", audio: level(40, 7), sampleRate: 8000, channels: 1 }),
  detach() {},
});

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\` answering audio later, with background: the module's held batch counted let go only as a binary message reaches it`, async () => {
    const { clock, transport, pair, serializer } = lateForkCall(make, LATE_MS, {
      options: { background: background() },
    });
    const hold = FAR_END_HOLDS.get(serializer)!;
    let binaryAt = NaN; // when the module last read a binary message
    pair.client.addEventListener("message", (event) => {
      if (typeof (event as MessageEvent).data !== "string") binaryAt = clock.now();
    });
    const early: number[] = []; // when the held count fell to nothing with no binary arriving
    let heldBefore = 0;
    await clock.tick(10);
    for (let reply = 1; reply <= 3; reply++) {
      for (let t = 0; t < 600; t++) {
        if (t % 20 === 0 && t < REPLY_MS) transport.send(forkAudio(20, 100 + reply, `r${reply}`));
        await clock.tick(1);
        const held = hold.heldMs;
        if (heldBefore > 0 && held === 0 && binaryAt !== clock.now()) early.push(clock.now());
        heldBefore = held;
      }
    }
    assert.deepEqual(early, [], "held audio counted let go before the module had what lets it go");
    await transport.close();
  });
}
