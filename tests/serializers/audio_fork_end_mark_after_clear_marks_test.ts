// mod_audio_fork forgets every mark it holds at a `clearMarks` and answers none of them
// (`processIncomingMessage`, jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp at 30f21899;
// simulated in fixtures/fork_module_playout.ts and fixtures/fork_module.ts). The transport's
// end-of-speech mark among them was never answered: a bot that cleared its marks in the moment
// between a reply's end mark and its last batch playing (70 ms here) had its `end` wait
// `playoutTimeoutMs` (2 s of dead air) and report a "timeout", and a reply's `speakingstop` came
// that late. The serializer sends it again after the clear, where no audio followed it: alone, the
// module answers it on its first frame with nothing to play (`dub_speech_frame`), once the reply
// has played.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import { FORK_METADATA, FORK_SERIALIZERS, forkAudio } from "./fixtures/fork_serializers.ts";
import { forkFarEnd } from "./fixtures/fork_module_playout.ts";
import { narrowbandCall } from "./fixtures/narrowband_call.ts";
import { wiredFork } from "./fixtures/fork_module.ts";

for (const [name, make] of FORK_SERIALIZERS) {
  Deno.test(`\`${name}\`: a clearMarks after the goodbye's end-of-speech mark, before it played: the hang-up still waits for no more than the goodbye`, async () => {
    const { clock, pair, transport } = narrowbandCall(make());
    const log = forkFarEnd(clock, pair, { metadata: FORK_METADATA, closeOnDisconnect: false });
    const errors: TransportError[] = [];
    transport.addEventListener("error", (e) => errors.push((e as ErrorEvent).error));
    transport.receive(() => {});
    await clock.tick(10);
    transport.send(forkAudio(1000, 100, "bye"));
    // The end-of-speech mark goes at 970 ms; the goodbye's last batch plays until 1040.
    await clock.tick(1000);
    const endMarkAt = log.trace.findIndex((t) => t.includes("__wst:end:"));
    const clearAt = log.trace.length;
    transport.send({ type: "message", message: { type: "clearMarks" } });
    transport.send({ type: "end" });
    await clock.tick(6000);
    assert.ok(endMarkAt >= 0 && endMarkAt < clearAt, "the end mark went before the clear");
    assert.deepEqual(errors.map((e) => e.message), []);
    const goodbyeEnds = log.played.filter(([, s]) => s === 100).at(-1)![0];
    assert.ok(log.disconnectAt !== undefined);
    assert.ok(
      log.disconnectAt - goodbyeEnds <= 60,
      `hung up ${log.disconnectAt - goodbyeEnds} ms after the goodbye played`,
    );
    await transport.close();
  });
}

Deno.test("mod_audio_fork: the transport's end-of-speech mark a clearMarks forgot, sent again, is answered once the reply has played", () => {
  const w = wiredFork();
  w.speak(420);
  w.send({ type: "mark", name: "__wst:end:1" });
  w.send({ type: "message", message: { type: "clearMarks" } });
  w.frames(60);
  const end = w.marks.find((m) => m.name === "__wst:end:1");
  assert.ok(end !== undefined, "answered");
  assert.ok(end.frame * 160 > w.module.out.lastIndexOf(1000), "after the reply's last sample");
});

Deno.test("mod_audio_fork: a clearMarks with audio after the end-of-speech mark sends no mark again", () => {
  const w = wiredFork();
  w.speak(420);
  w.send({ type: "mark", name: "__wst:end:1" });
  w.speak(100);
  w.send({ type: "message", message: { type: "clearMarks" } });
  w.frames(60);
  assert.equal(w.marks.find((m) => m.name === "__wst:end:1"), undefined);
});
