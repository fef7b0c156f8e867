// mod_audio_fork (jambonz/freeswitch-modules mod_audio_fork/lws_glue.cpp) answers a mark from its
// media thread as the mark plays (`dub_speech_frame`, `send_mark_event`), and reads commands on the
// socket's: a `clearMarks` makes it answer none of the marks it holds (:321-331), but an answer it
// sent just before it read the command still comes, after the bot has cleared. A mark whose name
// the module could not echo intact travels under an id (`#m1`, …); the serializer forgets those
// ids at `clearMarks`, so such a late answer reached the bot as a mark named `#m1`, which it never
// sent, and freed a slot of the module's 30 that the clear had already freed. A name sent as it is
// freed that slot the same way (the module then holds 30, and discards a 31st without a word).
import assert from "node:assert/strict";
import { TransportError } from "../../mod.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";

const METADATA = JSON.stringify({ sampleRate: 8000, mixType: "mono", callSid: "c1" });

/** The module's answer, the name written unescaped (`send_mark_event`, lws_glue.cpp). */
const moduleEcho = (name: string) =>
  `{"type": "mark", "data": {"name":"${name}", "event": "playout"}}`;

for (const make of [() => new JambonzSerializer(), () => new FreeSwitchSerializer()]) {
  const serializer = make();
  Deno.test(`\`${serializer.constructor.name}\` drops the module's answer to a renamed mark that crossed clearMarks`, () => {
    serializer.deserialize(METADATA);
    assert.deepEqual(serializer.serialize({ type: "mark", name: 'say "hi"' }), []);
    const command = JSON.parse((serializer.audioEnds(true) as string[])[0]!);
    const id = command.data.name as string;
    assert.match(id, /^#m\d+$/, "sent under an id");
    crossesClearMarks(serializer, id);
  });
}

for (const make of [() => new JambonzSerializer(), () => new FreeSwitchSerializer()]) {
  const serializer = make();
  Deno.test(`\`${serializer.constructor.name}\` drops the module's answer to a mark sent as it is that crossed clearMarks`, () => {
    serializer.deserialize(METADATA);
    assert.deepEqual(serializer.serialize({ type: "mark", name: "hi" }), []);
    serializer.audioEnds(true);
    crossesClearMarks(serializer, "hi");
  });
}

/**
 * `clearMarks`, then as many marks as the module holds, then the module's answer under `sent` to
 * the mark before the clear: nothing for the bot, and the module's 30 still held.
 */
function crossesClearMarks(serializer: JambonzSerializer | FreeSwitchSerializer, sent: string) {
  serializer.serialize({ type: "message", message: { type: "clearMarks" } });
  // 30 marks after the clear: as many as the module holds.
  for (let i = 0; i < 30; i++) serializer.serialize({ type: "mark", name: `n${i}` });
  // The answer the module sent before it read clearMarks.
  assert.equal(serializer.deserialize(moduleEcho(sent)), null, "nothing for the bot");
  assert.throws(
    () => serializer.serialize({ type: "mark", name: "n30" }),
    (e) => e instanceof TransportError && e.code === "encode" && /30 marks/.test(e.message),
    "the module still holds 30",
  );
}
