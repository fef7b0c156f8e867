// README, "Ending a connection": the transport "waits `closeTimeoutMs` for the closing handshake,
// then drops the connection". A session that could not start (its `serializer` function threw) is
// closed with 1011 by the adapter; a peer that never answered that close held the connection until
// `ws`'s own close timer (30 s). The far end is a raw client in the same Node (RFC 6455 §4.1, §5.5.1).
// The drop is a runtime timer there: checked in real time, with room on both sides.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { bundleForNode } from "./node/child_runtime.ts";

Deno.test("`upgradeHandler` on Node: a session that could not start is dropped closeTimeoutMs after its 1011, not at ws's 30 s", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/session_failed_cut_off.ts"));
  try {
    const run = await new Deno.Command("node", { args: [bundle], stdin: "null" }).output();
    const out = new TextDecoder().decode(run.stdout);
    assert.equal(run.code, 0, out + new TextDecoder().decode(run.stderr));
    const { closeCode, heldMs } = JSON.parse(out);
    assert.equal(closeCode, 1011);
    assert.ok(heldMs >= 150, `dropped ${heldMs} ms after the close, before closeTimeoutMs (200)`);
    assert.ok(heldMs < 5000, `dropped ${heldMs} ms after the close, not at closeTimeoutMs (200)`);
  } finally {
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});
