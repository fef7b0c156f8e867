// Node's `ws` writes a message to the kernel as it is sent (its `bufferedAmount`, what it has not
// yet written, is 0 again when `send` returns): what a turn sent has left before any work after
// it, and that work must not move it. The server (node/written_at_once_server.ts, bundled and run
// by `node`) writes a reply whose first two chunks leave in one run of the pump, an observer
// working 30 ms on the first; what its observers were told is checked on the server's own clock
// (no clock shared between two processes, no timing judged on the client).
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { bundleForNode, startChild } from "./node/child_runtime.ts";

interface Told {
  firstLeft: boolean;
  places: { position: number; playsAt: number; sentAt: number }[];
}

Deno.test("on Node, a reply's first chunk, written to the kernel before an observer worked 30 ms, is told to play as it left", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/written_at_once_server.ts"));
  const server = await startChild("node", [bundle]);
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  try {
    const told = await new Promise<Told>((resolve, reject) => {
      socket.onmessage = (event) => {
        if (typeof event.data === "string") resolve(JSON.parse(event.data) as Told);
      };
      socket.onerror = () => reject(new Error("the socket failed"));
      socket.onclose = () => reject(new Error("closed before the server told"));
    });
    assert.equal(told.firstLeft, true, "ws had written the first chunk before the work");
    assert.equal(told.places.length, 5, JSON.stringify(told.places));
    const [first, second] = told.places;
    // It left at once and, the far end idle, played at once. Before: moved past the work
    // (30 ms and more after it left), with the chunks after it placed a chunk late.
    assert.ok(first!.playsAt - first!.sentAt < 15, JSON.stringify(told.places));
    // The second, sent after the work, plays after the first, no earlier than it was sent.
    assert.ok(second!.playsAt >= second!.sentAt - 1, JSON.stringify(told.places));
    assert.ok(second!.playsAt - second!.sentAt < 15, JSON.stringify(told.places));
  } finally {
    socket.close();
    await server.close();
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});
