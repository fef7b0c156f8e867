// A bot (or a proxy before it) that completes the WebSocket handshake and then never answers the
// caller's close: after CLOSE_TIMEOUT_MS the caller drops the connection. It returned the report
// and left its socket CLOSING for good, so a `deno run` script awaiting simulateCall never exited.
// The simulator runs on a FakeClock, stepped here whenever the socket is not opening; the peer is
// a TCP listener on 127.0.0.1 that answers the upgrade and then only reads (_deaf_bot.ts).
import assert from "node:assert/strict";
import { simulateCall } from "../../src/simulator/mod.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { serveDeafBot } from "./_deaf_bot.ts";

/** Steps `clock` until `work` settles, never while `opening()` (a connect timeout is fake too). */
async function stepped<T>(clock: FakeClock, work: Promise<T>, opening: () => boolean): Promise<T> {
  let settled = false;
  work.then(() => (settled = true), () => (settled = true));
  const deadline = Date.now() + 10_000;
  while (!settled && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const due = clock.nextDue;
    if (!opening() && due !== undefined) await clock.tick(Math.max(0, due - clock.now()));
  }
  return await work;
}

Deno.test("a call to a peer that never answers the close leaves no socket open after the report", async () => {
  const server = serveDeafBot();
  const clock = new FakeClock();
  let socket: WebSocket | undefined;
  try {
    const report = await stepped(
      clock,
      simulateCall(server.url, {
        protocol: "raw",
        hangUpAtMs: 200,
        clock,
        connect: (url, protocols) => (socket = new WebSocket(url, protocols)),
      }),
      () => socket === undefined || socket.readyState === WebSocket.CONNECTING,
    );
    assert.equal(report.ended.by, "caller");
    assert.equal(report.ended.detail, "the caller hung up at 0.20 s, as asked");
    assert.deepEqual(report.violations, []);
    assert.equal(clock.now(), 200 + 2_000, "the report came after the 2 s close wait");
    // The connection is dropped under the caller: the peer's read ends, the socket closes.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise((resolve) => (timer = setTimeout(resolve, 2_000, "timeout")));
    const ended = await Promise.race([server.gone.then(() => "gone"), timeout]);
    clearTimeout(timer);
    for (let i = 0; i < 100 && socket!.readyState !== WebSocket.CLOSED; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(
      socket!.readyState,
      WebSocket.CLOSED,
      `readyState ${socket!.readyState} after the report (peer's side: ${ended})`,
    );
    assert.equal(ended, "gone");
  } finally {
    await server.close();
  }
});
