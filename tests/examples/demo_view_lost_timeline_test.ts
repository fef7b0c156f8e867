// The demo page's timeline (examples/demo/public/timeline.js) fed the server's view by the page's
// display (view_display.js) up to the moment the view is lost: what it draws up to "now" is what
// the view last said is still going on, and once the view is gone nothing is. No browser: the
// timeline's spans are read directly; the log and the lamps are inert.
import assert from "node:assert/strict";
import { Timeline } from "../../examples/demo/public/timeline.js";
import { showViewEvent } from "../../examples/demo/public/view_display.js";

const noop = () => {};
const lamp = () => ({ dataset: {}, lastElementChild: { textContent: "" } });

Deno.test("demo page: a view lost while the caller talks and the parrot is heard leaves no span on the timeline running on to every new now", () => {
  // Only `draw()` touches the canvas: spans are kept without one.
  const timeline = new Timeline(null as unknown as ConstructorParameters<typeof Timeline>[0]);
  const parts = {
    log: { add: noop },
    timeline,
    callerLamp: lamp(),
    botLamp: lamp(),
  } as unknown as Parameters<typeof showViewEvent>[2];
  const current = {
    offset: Infinity,
    staleFrom: new Map(),
    marksFrom: new Map(),
    ledger: { addSent: noop, addInterruption: noop },
    serverSeconds: () => null,
  };
  const messages = [
    { type: "hello", t: 0, line: "wideband", acknowledged: false, chunkMs: 20 },
    { type: "response", t: 10, responseId: "parrot-1", durationMs: 2000 },
    {
      type: "speakingstart",
      t: 20,
      responseId: "parrot-1",
      heardMs: 0,
      sentMs: 20,
      acknowledged: false,
    },
    // The caller talks over the reply; the view breaks off before the server says what came of it.
    { type: "caller", t: 400, speaking: true, at: 250, durationMs: null },
    { type: "lost" },
  ];
  for (const message of messages) showViewEvent(current, message, parts);
  const spans = timeline.spans as { lane: string; to: number | null }[];
  assert.deepEqual(spans.map((span) => span.lane).sort(), ["caller", "heard"]);
  for (const span of spans) assert.notEqual(span.to, null, `the ${span.lane} span still runs`);
});
