// A real server process whose bot has a listener that throws (or rejects): its session ends
// with 1011, and the process, with every other call in it, lives on. Before, Deno, Bun and
// Node reported the exception as uncaught and exited, cutting every call on the server.
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { bundleForNode, startChild } from "./node/child_runtime.ts";
import { within, WsClient } from "../_ws_client.ts";
import { BUN } from "./bun/_bun_binary.ts";

/** How each runtime starts `./<runtime>/throwing_listener_server.ts`. */
const RUNTIMES: Record<string, (entry: string) => string[] | Promise<string[]>> = {
  Deno: (entry) => [Deno.execPath(), "run", "--allow-net", "--no-check", fromFileUrl(entry)],
  Bun: (entry) => [BUN, "run", fromFileUrl(entry)],
  Node: async (entry) => ["node", await bundleForNode(entry)], // bundled, as npm users get it
};

for (const [runtime, commandFor] of Object.entries(RUNTIMES)) {
  Deno.test(`${runtime}: a listener that throws ends its session with 1011, and the other calls go on`, async () => {
    const entry = import.meta.resolve(`./${runtime.toLowerCase()}/throwing_listener_server.ts`);
    const [command, ...args] = await commandFor(entry);
    const server = await startChild(command!, args);
    const url = `ws://127.0.0.1:${server.port}`;
    const bystander = await WsClient.open(`${url}/echo`);
    try {
      let said = 0;
      const echoes = async () => {
        const text = `{"call":"bystander","n":${++said}}`;
        bystander.send(text);
        assert.equal(await bystander.next((data) => data === text), text);
      };
      await echoes();
      for (const how of ["throws", "rejects"]) {
        // Its "connected" listener fails: the server ends the session, naming the bug.
        const buggy = await WsClient.open(`${url}/${how}/connected`);
        const ended = await within(buggy.closed, 3000, `the /${how}/connected session's end`);
        assert.equal(ended.code, 1011);
        assert.equal(
          ended.reason,
          `a "connected" listener threw: Error: a bug in the bot's connected listener`,
        );
        await echoes();
        // The caller hangs up; the bot's "disconnected" listener fails.
        const hungUp = await WsClient.open(`${url}/${how}/disconnected`);
        await hungUp.close(1000);
        await echoes();
        // Its `SessionMetrics`' "metric" listener fails on the first echo's turn latency.
        const measured = await WsClient.open(`${url}/${how}/metric`);
        measured.ws.send(new Uint8Array(640));
        const cut = await within(measured.closed, 3000, `the /${how}/metric session's end`);
        assert.equal(cut.code, 1011);
        assert.equal(
          cut.reason,
          `a SessionMetrics "metric" listener threw: Error: a bug in the bot's metric listener`,
        );
        await echoes();
        // The caller hangs up; its "summary" listener fails, after the session's end.
        const summed = await WsClient.open(`${url}/${how}/summary`);
        await summed.close(1000);
        await echoes();
      }
      // A new call is taken, and every failure was reported to its own session's listener.
      const next = await WsClient.open(`${url}/echo`);
      await next.close(1000);
      const log = await (await fetch(`${url.replace("ws:", "http:")}/log`)).json();
      for (const path of ["/throws/disconnected", "/rejects/disconnected"]) {
        const type = path.split("/")[2];
        const line =
          `${path} application a "${type}" listener threw: Error: a bug in the bot's ${type} listener`;
        assert.ok(log.includes(line), `${JSON.stringify(log)} names ${path}'s bug`);
      }
      for (const path of ["/throws/summary", "/rejects/summary"]) {
        const line =
          `${path} application a SessionMetrics "summary" listener threw: Error: a bug in the bot's summary listener`;
        assert.ok(log.includes(line), `${JSON.stringify(log)} names ${path}'s bug`);
      }
      await echoes();
      assert.equal(bystander.ws.readyState, WebSocket.OPEN);
    } finally {
      await bystander.close(1000).catch(() => {});
      await server.close();
      if (runtime === "Node") await Deno.remove(dirname(args[0]!), { recursive: true });
    }
  });
}
