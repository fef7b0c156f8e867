// What Bun's `ServerWebSocket.send` returns tells whether a message went: "if 0, the message was
// dropped", yet "sending an empty payload (`ws.send("")` …) succeeds but also returns 0" (bun-types
// 1.4.5, `ServerWebSocketSendStatus`), and past `backpressureLimit` "send() drops the message and
// returns 0" (`WebSocketHandler.backpressureLimit`). A session's stats count what the client got:
// a dropped message is lost (a "closed" error each, as the README's errors table says), an empty
// one sent. A real Bun, 127.0.0.1 port 0, on the Bun adapter and on Hono's (`hono/bun`).
import assert from "node:assert/strict";
import { dirname } from "node:path";
import bunPackage from "@oven/bun-linux-x64/package.json" with { type: "json" };
import { bundleForNode } from "./node/child_runtime.ts";
import { bunReport } from "./bun/_bun_binary.ts";

interface DroppedOutcome {
  written: number;
  received: number;
  messagesOut: number;
  errors: Record<string, number>;
}

for (const adapter of ["bun", "hono"]) {
  Deno.test(`Bun ${bunPackage.version}, the ${adapter} adapter: a message Bun dropped past \`backpressureLimit\` is counted lost, not sent`, async () => {
    const bundle = await bundleForNode(import.meta.resolve("./bun/dropped_send_session.ts"));
    try {
      const outcome = await bunReport([bundle, adapter]) as DroppedOutcome;
      const dropped = outcome.written - outcome.received;
      assert.ok(dropped > 0, `Bun dropped nothing: ${JSON.stringify(outcome)}`);
      // Before, under Hono: every message counted sent (1500), 263 received, no error.
      assert.deepEqual(
        { messagesOut: outcome.messagesOut, errors: outcome.errors },
        { messagesOut: outcome.received, errors: { closed: dropped } },
      );
    } finally {
      await Deno.remove(dirname(bundle), { recursive: true });
    }
  });

  Deno.test(`Bun ${bunPackage.version}, the ${adapter} adapter: an empty message, for which Bun's send returns 0, is sent, not refused`, async () => {
    const bundle = await bundleForNode(import.meta.resolve("./bun/empty_message_session.ts"));
    try {
      // Before, on the Bun adapter: received, yet counted lost, with a "send failed" error.
      assert.deepEqual(await bunReport([bundle, adapter]), {
        received: ["", "after"],
        messagesOut: 2,
        errors: [],
      });
    } finally {
      await Deno.remove(dirname(bundle), { recursive: true });
    }
  });
}
