import assert from "node:assert/strict";
import type { Row } from "./allocations.ts";

Deno.test("the echo path allocates no array buffer per frame, the push surface less than the streams, and tracking sends a mark a second once the far end's delay is learned", async () => {
  const script = new URL("./allocations.ts", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      "--v8-flags=--expose-gc,--max-semi-space-size=64,--min-semi-space-size=64",
      script,
      "--frames",
      "2000",
      "--runs",
      "3",
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const rows = JSON.parse(new TextDecoder().decode(stdout)) as Row[];
  const row = (session: string) => {
    const found = rows.find((r) => r.session === session)!;
    assert.ok(found.cleanRuns > 0, `${session}: a collection ran in every run`);
    return found;
  };
  const push = row("push"), streams = row("streams"), responses = row("responses");
  row("bare");
  // Playback tracking's own messages: the far end acknowledges every mark at the delay the
  // estimate expects, so the marks spread from 250 ms to the default maxMarkIntervalMs, 1000 ms:
  // one at each 2 s response's start and one a second into it (a mark per 50 frames), each
  // acknowledged; nothing else per frame. At a fixed 250 ms cadence this was 1.08.
  assert.ok(
    Math.abs(responses.sentPerFrame! - 1.02) < 0.005,
    `responses: ${responses.sentPerFrame} messages out per message in`,
  );
  assert.ok(
    responses.external! < 64,
    `responses: ${responses.external} array-buffer bytes a frame`,
  );
  for (const r of [push, streams]) {
    assert.equal(r.sentPerFrame, 1, `${r.session}: one message back per message in`);
    // Views all the way: a copy of every frame would show as ~640 bytes here.
    assert.ok(r.external! < 64, `${r.session}: ${r.external} bytes of array buffers per frame`);
  }
  assert.ok(
    push.overBare! < streams.overBare!,
    `push ${push.overBare} bytes per frame, streams ${streams.overBare}`,
  );
});
