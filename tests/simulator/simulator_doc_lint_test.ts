// The simulator's entry point passes `deno doc --lint` on its own, as a user of
// `@x/ws-transport/simulator` alone sees its documentation: `Clock` (re-exported for
// `simulateCall`'s `clock`) names `ClockTimer` and `ClockTimerOptions` in its `timer`, which the
// entry point did not export ("public type 'Clock["timer"]' references private type"). The
// package-wide lint (`.ci/doc_lint.ts`, every entry point at once) passed, the root's `mod.ts`
// exporting them.
import assert from "node:assert/strict";

const ENTRY = new URL("../../src/simulator/mod.ts", import.meta.url).pathname;

Deno.test("`deno doc --lint` passes on the simulator's entry point alone", async () => {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--lint", ENTRY],
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
});
