import assert from "node:assert/strict";
import { ResponseGate } from "../src/_response_gate.ts";

Deno.test("ResponseGate: a response's audio is stale after an interruption, however often asked before", () => {
  const gate = new ResponseGate(() => {});
  assert.equal(gate.isStale("a"), false);
  assert.equal(gate.isStale("a"), false); // asked again: the remembered answer
  gate.close();
  assert.equal(gate.isStale("a"), true);
  assert.equal(gate.isStale("a"), true);
  assert.equal(gate.isStale("b"), false, "an id first seen after the interruption is fresh");
  assert.equal(gate.isStale("a"), true);
  assert.equal(gate.isStale(undefined), false, "untagged audio is never gated");
});

Deno.test("ResponseGate: `start` with an interrupted id opens it again; untagged audio takes its id", () => {
  const gate = new ResponseGate(() => {});
  gate.isStale("r1");
  gate.close();
  assert.equal(gate.isStale("r1"), true);
  assert.equal(gate.start("r1"), "r1");
  assert.equal(gate.isStale("r1"), false);
  assert.equal(gate.idOf(undefined), "r1");
  assert.equal(gate.idOf("own"), "own");
  assert.match(gate.start(), /^response-\d+$/);
});

Deno.test("ResponseGate: each stale run is reported once", () => {
  const gate = new ResponseGate(() => {});
  assert.equal(gate.firstDrop("a"), true);
  assert.equal(gate.firstDrop("a"), false);
  assert.equal(gate.firstDrop("b"), true);
  gate.close();
  assert.equal(gate.firstDrop("b"), true, "a new interruption starts a new run");
});

Deno.test("ResponseGate: interleaved stale responses are each reported once until the next interruption", () => {
  const gate = new ResponseGate(() => {});
  gate.isStale("a");
  gate.isStale("b");
  gate.close();
  const reported = ["a", "b", "a", "b", "a"].filter((id) => gate.firstDrop(id));
  assert.deepEqual(reported, ["a", "b"]);
  gate.close();
  assert.equal(gate.firstDrop("a"), true, "a new interruption reports again");
});
