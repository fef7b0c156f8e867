// The raw far end is the demo page's wideband line (examples/demo/public/wideband_line.js, its
// `onmessage`): a text message is `JSON.parse`d and `message?.type === "clear"` empties the
// player; other text is only noted. The far end cleared at the one exact text
// `{"type":"clear"}` and noted every other spelling of the same object, so a bot whose JSON has
// a space after the colon (Python's `json.dumps({"type": "clear"})` writes `{"type": "clear"}`)
// or more fields was reported as never clearing on a barge-in, where the page stops at once.
import assert from "node:assert/strict";
import { farEndContext } from "./far_ends/_context.ts";
import { FAR_ENDS } from "../../src/simulator/far_ends.ts";

function rawFarEnd() {
  let clears = 0;
  const notes: string[] = [];
  const farEnd = FAR_ENDS["raw"]!({});
  farEnd.open(farEndContext({ clear: () => clears++, note: (what) => notes.push(what) }));
  return { farEnd, notes, clears: () => clears };
}

Deno.test("the raw far end clears at any JSON object whose type is clear, as the demo page does", () => {
  for (const text of ['{"type":"clear"}', '{"type": "clear"}', '{"type":"clear","id":7}']) {
    const raw = rawFarEnd();
    raw.farEnd.receive(text);
    assert.equal(raw.clears(), 1, text);
    assert.deepEqual(raw.notes, [], text);
  }
});

Deno.test("the raw far end only notes text the demo page does not clear at", () => {
  for (const text of ['{"type":"Clear"}', '"clear"', "clear", "null", '[{"type":"clear"}]']) {
    const raw = rawFarEnd();
    raw.farEnd.receive(text);
    assert.equal(raw.clears(), 0, text);
    assert.deepEqual(raw.notes, ["raw text message"], text);
  }
});
