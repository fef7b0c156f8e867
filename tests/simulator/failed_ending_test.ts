import assert from "node:assert/strict";
import { failedEnding } from "../../src/simulator/_failed_ending.ts";

const closedByBot = (code: number) => ({ by: "bot" as const, atMs: 0, detail: "", code });

// The IANA "WebSocket Close Code Number Registry" (RFC 6455 §11.7) registers 1012 Service Restart
// and 1013 Try Again Later beside 1014 Bad Gateway: a server that restarts mid-call, or is too
// loaded to take it, has failed the caller as surely as one whose gateway failed.
Deno.test("`failedEnding` fails a bot that closes with 1012 (service restart) or 1013 (try again later)", () => {
  assert.equal(failedEnding(closedByBot(1012)), true);
  assert.equal(failedEnding(closedByBot(1013)), true);
  assert.equal(failedEnding(closedByBot(1014)), true);
});

Deno.test("`failedEnding` passes a bot that hangs up normally or with an application code", () => {
  for (const code of [1000, 1001, 4000, 4999]) {
    assert.equal(failedEnding(closedByBot(code)), false, String(code));
  }
  assert.equal(failedEnding({ by: "bot", atMs: 0, detail: "" }), false, "no code: 1000");
});
