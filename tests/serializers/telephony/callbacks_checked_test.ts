// The telephony helpers' callback options are checked where they are given: a MediaReorder
// `count` or a MemoryReplayGuard `now` that is no function used to fail only on the first packet
// counted, or the first request claimed, as an unclear "is not a function" deep inside.
import assert from "node:assert/strict";
import { MediaReorder } from "../../../src/serializers/telephony/media_reorder.ts";
import { MemoryReplayGuard } from "../../../src/serializers/telephony/replay_guard.ts";

Deno.test("MediaReorder refuses a count that is not a function", () => {
  assert.throws(() => new MediaReorder({ count: "counter" as never }), {
    name: "TypeError",
    message: "count must be a function, got string",
  });
  new MediaReorder({ count: () => {} });
});

Deno.test("MemoryReplayGuard refuses a now that is not a function", () => {
  assert.throws(() => new MemoryReplayGuard({ now: 1_700_000_000_000 as never }), {
    name: "TypeError",
    message: "now must be a function, got number",
  });
  assert.equal(new MemoryReplayGuard({ now: () => 0 }).claim("k"), true);
});
