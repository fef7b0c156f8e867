// Bun corks the task its `message` handler begins (microtasks too): what a bot sends there leaves
// only when that task ends, though Bun's `getBufferedAmount()` reads 0 (measured on Bun 1.4.5).
// Work later in that task holds it: the reply's first chunk, sent in the task, an observer then
// working 30 ms on it, is told to play once the task is over. The server (bun/message_task_server.ts,
// run by `bun`) reports what its observers were told, on its own clock. Hono's Bun adapter runs its
// `onMessage` in that same task: the same server on it (bun/message_task_server_hono.ts).
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { bundleForNode, startChild } from "./node/child_runtime.ts";
import { BUN } from "./bun/_bun_binary.ts";

interface Told {
  places: { position: number; playsAt: number; sentAt: number }[];
}

/** The server's script: Bun runs the Bun adapter's as it is; Hono's is bundled first. */
async function serverScript(onHono: boolean): Promise<string> {
  if (onHono) return await bundleForNode(import.meta.resolve("./bun/message_task_server_hono.ts"));
  return fromFileUrl(import.meta.resolve("./bun/message_task_server.ts"));
}

for (const [replyMs, onHono] of [[20, false], [100, false], [20, true], [100, true]] as const) {
  const on = onHono ? "on Hono on Bun" : "on Bun";
  Deno.test(`${on}, the first chunk of a ${replyMs} ms reply sent in a \`message\` task, an observer then working 30 ms, is told to play after that work`, async () => {
    const script = await serverScript(onHono);
    const server = await startChild(BUN, ["run", script]);
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/?reply=${replyMs}`);
    try {
      const told = await new Promise<Told>((resolve, reject) => {
        socket.onopen = () => socket.send(new Uint8Array(640));
        socket.onmessage = (event) => {
          if (typeof event.data === "string") resolve(JSON.parse(event.data) as Told);
        };
        socket.onerror = () => reject(new Error("the socket failed"));
        socket.onclose = () => reject(new Error("closed before the server told"));
      });
      assert.equal(told.places.length, replyMs / 20, JSON.stringify(told.places));
      const [first] = told.places;
      // Left, by the 30 ms of work after it, no sooner than 30 ms after it was sent. Before: told
      // to play as it was sent, 30 ms before the caller could hear it.
      assert.ok(first!.playsAt - first!.sentAt >= 29, JSON.stringify(told.places));
    } finally {
      socket.close();
      await server.close();
      if (onHono) await Deno.remove(dirname(script), { recursive: true });
    }
  });
}
