// mod_audio_fork (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp): `killAudio` is applied
// on the module's next 20 ms media tick (`dub_speech_frame`), which then answers each pending mark
// `{"type": "mark", "data": {"name": …, "event": "cleared"}}`; `disconnect` ends the fork (the
// module's README, "disconnect"; jambonz's listen task stops the fork on it). A bot that barges in
// and says goodbye at once has its `disconnect` on the wire before those answers come back: the
// sentinel sample the serializer gives an erased mark's name (for the marks that follow) has no
// marks to follow, and would be audio after the goodbye. jambonz closes the socket only once it
// has acted on the `disconnect` (peerCloses), so the answers still come.
import assert from "node:assert/strict";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { forkAudio, startedForkCall } from "./fixtures/fork_serializers.ts";

for (const goodbye of ["cancel", "end"] as const) {
  Deno.test(`\`JambonzSerializer\`: a mark answered \`cleared\` after ${goodbye}'s disconnect sends nothing after it`, async () => {
    const { clock, pair, transport, wire } = await startedForkCall(new JambonzSerializer(), {
      markIntervalMs: 0,
    });
    // 200 ms, a mark, 200 ms: the mark's marker passes the module's first batch (1280 samples)
    // and its next (640) into the playout buffer, where killAudio erases it.
    transport.send(forkAudio(200, 7, "r"));
    transport.send({ type: "mark", name: "said" });
    transport.send(forkAudio(200, 7, "r"));
    await clock.tick(300);
    await transport.interrupt();
    void transport.send({ type: goodbye });
    await clock.tick(5);
    // A `cancel` goes at once; an `end` once the module has shown it applied killAudio (the
    // serializer's mark after it answered: sending pauses until then, see `ForkMarks.interrupt`).
    const proof = wire.find((m) => m.includes("__wst:killed:"));
    assert.ok(proof !== undefined, wire.join("\n"));
    const proofName = JSON.parse(proof).data.name;
    if (goodbye === "cancel") assert.ok(wire.includes('{"type":"disconnect"}'), wire.join("\n"));
    // The module's next tick: killAudio applied, the marks answered, in use then in inventory.
    pair.client.send('{"type": "mark", "data": {"name":"said", "event": "cleared"}}');
    pair.client.send(`{"type": "mark", "data": {"name":"${proofName}", "event": "cleared"}}`);
    // An `end`'s goodbye then waits for the batch the sentinel's silence completes to play.
    await clock.tick(200);
    const at = wire.indexOf('{"type":"disconnect"}');
    assert.ok(at >= 0, wire.join("\n"));
    assert.deepEqual(wire.slice(at + 1), [], `sent after the disconnect:\n${wire.join("\n")}`);
    pair.client.close(1000);
    await clock.tick(1000);
    await transport.closed;
  });
}
