// The decoder tells, with each frame it hands on, how many frames of the same message came before
// it: the inbound queue lets a message's own frames past its stuck-reader bound (a reader can take
// none of them before the last is queued) and judges the frames of earlier messages. A message,
// a batch the serializer hands on between messages (`SerializerContext.inboundFrames`) and what it
// hands on at the end (`finish`) each begin at 0, whether read at once or by an asynchronous
// `deserialize`; so the bound is loosened by at most one message's (or batch's) frames, never by
// frames that came apart.
import assert from "node:assert/strict";
import { InboundDecoder } from "../src/_inbound_decoder.ts";
import type { Frame } from "../src/frames.ts";
import type { FrameSerializer } from "../src/serializer.ts";
import { emptyStats } from "../src/transport_stats.ts";

const text = (t: string): Frame => ({ type: "text", text: t });

/**
 * Text "a b c" is read as one text frame a word; "later a b" the same, by a `deserialize` that
 * answers when `answer()` is called. `finish` hands on `held`.
 */
function decoder() {
  let answer: () => void = () => assert.fail("no decode waits");
  const held: Frame[] = [];
  const serializer: FrameSerializer = {
    serialize: () => null,
    deserialize(data) {
      const words = (data as string).split(" ");
      if (words[0] !== "later") return words.length === 1 ? text(words[0]!) : words.map(text);
      return new Promise((resolve) => answer = () => resolve(words.slice(1).map(text)));
    },
    finish: () => held.splice(0),
  };
  const got: [string, number][] = [];
  const d = new InboundDecoder({
    serializer,
    maxMessageBytes: 100,
    stats: emptyStats(),
    onFrame: (frame, earlier) => got.push([(frame as { text: string }).text, earlier]),
    onError: (e) => assert.fail(e),
  });
  d.start();
  return { d, got, held, answer: () => answer() };
}

Deno.test("each frame is handed on with how many frames of its message came before it", async () => {
  const { d, got, held, answer } = decoder();
  d.receive("a b c");
  d.receive("d"); // one frame, not in an array
  d.receive("later e f");
  d.receive("g h"); // waits behind the decode under way
  assert.deepEqual(got, [["a", 0], ["b", 1], ["c", 2], ["d", 0]]);
  answer();
  await Promise.resolve(); // the decode's answer is taken a microtask on, before this await ends
  assert.equal(got.length, 8, "e f, then g h behind it");
  d.handOn([text("i"), text("j")]);
  held.push(text("k"), text("l"));
  d.finish();
  assert.deepEqual(got.slice(4), [
    ["e", 0],
    ["f", 1],
    ["g", 0],
    ["h", 1],
    ["i", 0],
    ["j", 1],
    ["k", 0],
    ["l", 1],
  ]);
  d.stop();
});
