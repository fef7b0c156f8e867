// A serializer's context reaches its session weakly (`heldWeakly`, src/_session_link.ts), so a kept
// serializer keeps none of it; but while the application holds the transport (to read its
// `stats`), a late call (a count, a message of its own, a report) must still reach it, however
// many collections have run meanwhile.
import assert from "node:assert/strict";
import { runWithGc } from "./_gc_script.ts";

for (
  const [runtime, file] of [
    ["", "./_late_context_calls_script.ts"],
    [" (a runtime without WeakRef)", "./_late_context_calls_no_weak_ref_script.ts"],
  ]
) {
  Deno.test(`a late context call reaches a held transport after collections${runtime}`, async () => {
    const script = new URL(file!, import.meta.url);
    // `counted`: the late count's 2 and the late message's 1; `reported`: the late report.
    assert.deepEqual(await runWithGc(script), { counted: 3, reported: 1 });
  });
}
