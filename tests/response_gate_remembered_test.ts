// The stale-response gate remembers 1024 response ids. It forgot the one first seen longest ago,
// even when that response was still sending: a stale TTS stream trickling on while a chatty bot
// began 1024 tagged responses (a `responseId` per sentence) was pushed out and its next chunk,
// taken for a new response, was played after the interruption. Now every frame of a response is
// hearing its id, and the one heard longest ago goes first; a stale id that is forgotten (silent
// while 1024 others began) is told (`onForgetStale`: the transport counts it in
// `stats.staleResponsesForgotten`, see stale_response_forgotten_test.ts).

import assert from "node:assert/strict";
import { ResponseGate } from "../src/_response_gate.ts";

Deno.test("ResponseGate: a stale response still sending is not forgotten, however many responses follow", () => {
  let forgottenStale = 0;
  const gate = new ResponseGate(() => forgottenStale++);
  assert.equal(gate.isStale("old"), false);
  gate.close(); // interrupted: "old" is stale from now on
  for (let i = 0; i < 3000; i++) {
    assert.equal(gate.isStale(`sentence-${i}`), false, "a new response opens the gate");
    if (i % 100 === 0) {
      // was: false from i = 1100 on, "old" pushed out by 1024 new ids and played
      assert.equal(gate.isStale("old"), true, `the stale stream's chunk after ${i} new responses`);
    }
  }
  assert.equal(forgottenStale, 0);
});

Deno.test("ResponseGate: a stale id silent while 1024 responses began is forgotten, and told", () => {
  let forgottenStale = 0;
  const gate = new ResponseGate(() => forgottenStale++);
  gate.isStale("old");
  gate.isStale("old-2"); // seen after "old", before the interruption: stale too
  gate.close();
  for (let i = 0; i < 1023; i++) gate.isStale(`sentence-${i}`);
  assert.equal(forgottenStale, 1, '"old" forgotten to keep the bound');
  gate.isStale("sentence-1023");
  assert.equal(forgottenStale, 2);
  gate.isStale("sentence-1024"); // a fresh id pushed out: nothing can be played wrongly by it
  assert.equal(forgottenStale, 2);
  assert.equal(gate.isStale("old"), false, "the documented limit: taken for a new response");
});
