// Needs the transport to resolve its options with the serializer it claimed (the proposed
// src/transport.ts change): mod_audio_fork's serializers name the lead the module needs
// (`minSendAheadMs`: a batch of 640 samples and a 20 ms tick, lws_glue.cpp:108-116, :930-1050), and
// a session that gives no `sendAheadMs` gets it. With the old default (one chunk) a reply relayed
// in real time ran the module's playout dry for a tick as each batch completed just in time.
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import type { FrameSerializer } from "../../src/serializer.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { forkFarEnd } from "./fixtures/fork_module_playout.ts";
import { level, narrowbandCall } from "./fixtures/narrowband_call.ts";

const audio = (ms: number, v: number) =>
  ({ type: "audio", audio: level(ms, v), sampleRate: 8000, channels: 1, responseId: "r" }) as Frame;

for (
  const [name, make] of [
    ["FreeSwitchSerializer", () => new FreeSwitchSerializer()],
    ["JambonzSerializer", () => new JambonzSerializer()],
  ] as [string, () => FrameSerializer][]
) {
  Deno.test(`\`${name}\` without sendAheadMs: a reply relayed in real time plays without a dry tick`, async () => {
    const { clock, pair, transport } = narrowbandCall(make(), {});
    const log = forkFarEnd(clock, pair, {
      metadata: JSON.stringify({ sampleRate: 8000, mixType: "mono", callSid: "c1" }),
      closeOnDisconnect: false,
    });
    transport.receive(() => {});
    await clock.tick(10);
    // A first reply, then a pause: the module's first, larger batch is behind it.
    transport.send(audio(500, 1));
    await clock.tick(1500);
    const replyStart = clock.now();
    // Ten sentences written at once: the transport paces them out in real time.
    for (let k = 0; k < 10; k++) transport.send(audio(300, 9));
    await clock.tick(5000);
    const lastPlayed = log.played.filter(([, s]) => s === 9).at(-1)![0];
    assert.deepEqual(log.dry.filter((t) => t > replyStart + 200 && t < lastPlayed), []);
    await transport.close();
  });
}
