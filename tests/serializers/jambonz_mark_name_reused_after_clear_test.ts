// jambonz's listen verb, "Bidirectional audio" (docs.jambonz.org/docs/webhooks/listen, `mark` and
// `clearMarks`): a `mark` is answered `{"type":"mark","data":{"name","event"}}` when its place in
// the audio plays (`playout`) or a `killAudio` drops it (`cleared`); `clearMarks` removes the marks
// being tracked, "you will not receive mark events for the removed marks". mod_audio_fork
// (jambonz/freeswitch-modules `lws_glue.cpp`) answers from its media thread as a mark plays and
// reads commands on the socket's: an answer it sent just before it read the clear still comes,
// after it. When the bot gives a mark the name of one the clear gave up, that late answer was
// taken for the new mark's: the bot heard it played before its audio had, and the new mark's own
// answer, when it came, was dropped.
import assert from "node:assert/strict";
import type { Frame, SerializeResult } from "../../mod.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";

const METADATA = JSON.stringify({ sampleRate: 8000, mixType: "mono", callSid: "c1" });

/** The module's answer, the name written unescaped (`send_mark_event`, lws_glue.cpp). */
const moduleEcho = (name: string) =>
  `{"type": "mark", "data": {"name":"${name}", "event": "playout"}}`;

/** The name the `mark` command among `sent` travels under. */
function sentName(sent: SerializeResult): string {
  const commands = [sent].flat().filter((m): m is string => typeof m === "string");
  const mark = commands.map((m) => JSON.parse(m)).find((m) => m.type === "mark");
  assert.ok(mark !== undefined, "a mark command went");
  return mark.data.name;
}

for (const make of [() => new JambonzSerializer(), () => new FreeSwitchSerializer()]) {
  const serializer = make();
  Deno.test(`\`${serializer.constructor.name}\`: a late answer to a mark clearMarks gave up is not taken for a new mark of the same name`, () => {
    serializer.deserialize(METADATA);
    serializer.serialize({ type: "mark", name: "sentence" });
    assert.equal(sentName(serializer.audioEnds(true)), "sentence");
    serializer.serialize({ type: "message", message: { type: "clearMarks" } });
    // The bot marks its next sentence the same way.
    serializer.serialize({ type: "mark", name: "sentence" });
    const again = sentName(serializer.audioEnds(true));
    // The module's answer to the first mark, sent before it read clearMarks.
    assert.equal(serializer.deserialize(moduleEcho("sentence")), null, "the late answer dropped");
    // The new mark's own answer is the one the bot hears.
    assert.deepEqual(
      serializer.deserialize(moduleEcho(again)),
      { type: "mark", name: "sentence" } satisfies Frame,
    );
    // Answered after the clear: everything the module answered before it has come, and names go
    // as they are again.
    serializer.serialize({ type: "mark", name: "sentence" });
    assert.equal(sentName(serializer.audioEnds(true)), "sentence");
  });
}

Deno.test("a clearMarks with no mark waiting leaves names as they are", () => {
  const serializer = new JambonzSerializer();
  serializer.deserialize(METADATA);
  serializer.serialize({ type: "message", message: { type: "clearMarks" } });
  serializer.serialize({ type: "mark", name: "sentence" });
  assert.equal(sentName(serializer.audioEnds(true)), "sentence");
});
