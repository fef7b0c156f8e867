// A push session that uses none of the features below holds none of their state: the listener
// guards (no `addEventListener`), the observers' closed set (no observer), the stale-response and
// no-message reports (no interruption, every frame has a message), the far end's past spells (its
// audio never paused), the waits for an asynchronous serializer or decode and for a socket that
// fell behind, and their timers. Each is made on first use, off the per-chunk path: a session's
// heap is what a server holds hundreds of (BENCHMARKS.md: 10.4 KB a push session at ebf6dea,
// 16.4 KB since).
import assert from "node:assert/strict";
import { runWithGc } from "./_gc_script.ts";

Deno.test("a push session holds no container of a feature it never used, idle or echoing", async () => {
  // In a process of its own: heap snapshots count every object, the test runner's too.
  const report = await runWithGc(new URL("./_session_objects_script.ts", import.meta.url)) as {
    idle: Record<string, number>;
    active: Record<string, number>;
  };
  for (const [state, { timers, ...counts }] of Object.entries(report)) {
    // The tracker's two, the pump's two and the open timeout's, as at ebf6dea: none for a read-on
    // at the end, a start message, a pause, or an asynchronous decode, none of which came.
    assert.ok(timers! <= 5, `${state}: ${timers} timers a session`);
    for (const [name, perSession] of Object.entries(counts)) {
      // A fraction is the runtime's own, made once while the sessions were: none is a session's.
      assert.equal(Math.round(perSession), 0, `${state}: ${perSession} ${name} a session`);
    }
  }
});
