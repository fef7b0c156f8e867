// A call's ending names the bound that ended it as its user set it: `simulateCall`'s caller gave
// options (`maxDurationMs`, `connectTimeoutMs`), the command line's user flags (`--max-duration`,
// `--connect-timeout`). The CLI printed `the call reached maxDurationMs (3000 ms)` right above its
// own gate line `--max-duration 3000 …`: an option no CLI user ever typed. Both namings come from
// one table (src/simulator/_gate_names.ts); the CLI's own runs are checked where each flag is
// (cli_wait_for_bot_test.ts, cli_usage_test.ts, cli_playout_bounds_test.ts, cli_test.ts).
// The calls run on a FakeClock: to a silent bot over real sockets (tests/_lockstep.ts), or to a
// port on 127.0.0.1 that never answers the WebSocket handshake.
import assert from "node:assert/strict";
import {
  type CallReport,
  simulateCall,
  type SimulateCallOptions,
} from "../../src/simulator/mod.ts";
import { FLAG_NAMES, type GateNames } from "../../src/simulator/_gate_names.ts";
import { simulateCallNaming } from "../../src/simulator/_simulate_call.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { within } from "../_ws_client.ts";
import { callSilentBot } from "./_silent_bot_call.ts";
import { silentTcp } from "./_silent_tcp.ts";

/**
 * A call to a port that never answers the WebSocket handshake, bounded by `connectTimeoutMs` or
 * `maxDurationMs`: `simulateCall`'s, or given `names` one whose ending names them so.
 */
async function callUnanswered(
  bounds: Pick<SimulateCallOptions, "connectTimeoutMs" | "maxDurationMs">,
  names?: GateNames,
): Promise<CallReport> {
  const tcp = silentTcp();
  const clock = new FakeClock();
  const sockets: WebSocket[] = [];
  const connect = (url: string) => {
    const socket = new WebSocket(url);
    sockets.push(socket);
    return socket;
  };
  const options = { protocol: "raw", clock, connect, ...bounds };
  try {
    const call = names === undefined
      ? simulateCall(tcp.url, options)
      : simulateCallNaming(tcp.url, options, names);
    // The handshake under way, the wait for it runs out: the lesser bound, as the call has it.
    await within(tcp.accepted, 10_000, "connection to the silent port");
    await clock.tick(Math.min(bounds.connectTimeoutMs ?? 10_000, bounds.maxDurationMs ?? 300_000));
    return await within(call, 10_000, "report");
  } finally {
    // Dropped under it, the handshake the caller gave up on fails, and its socket closes: no
    // connect left pending past the test.
    await tcp.close();
    await within(
      Promise.all(
        sockets.map((socket) =>
          socket.readyState === WebSocket.CLOSED
            ? undefined
            : new Promise((resolve) => socket.addEventListener("close", resolve, { once: true }))
        ),
      ),
      10_000,
      "close of the caller's socket",
    );
  }
}

Deno.test("a call that reaches its bound names maxDurationMs in library use, --max-duration from the CLI", async () => {
  const options = { protocol: "raw", waitForBotHangUp: true, maxDurationMs: 600 } as const;
  const library = await callSilentBot(options);
  const cli = await callSilentBot(options, FLAG_NAMES);
  assert.equal(library.ended.detail, "the call reached maxDurationMs (600 ms)");
  assert.equal(cli.ended.detail, "the call reached --max-duration (600 ms)");
  // Only the words differ: what the JSON report says for machines stays.
  for (const report of [library, cli]) {
    assert.deepEqual([report.ended.by, report.ended.atMs], ["timeout", 600]);
  }
});

Deno.test("a handshake cut short by the bound names maxDurationMs in library use, --max-duration from the CLI", async () => {
  // The silent bot never answers Genesys's `open`: at 1000 ms the bound comes before the
  // platform's own wait for `opened`.
  const options = { protocol: "genesys", maxDurationMs: 1000 } as const;
  const library = await callSilentBot(options);
  const cli = await callSilentBot(options, FLAG_NAMES);
  assert.deepEqual(
    [library.ended.detail, library.violations.map((v) => [v.rule, v.detail])],
    ["the call reached maxDurationMs (1000 ms)", [[
      "genesys.no-handshake",
      "the genesys handshake did not complete within maxDurationMs (1000 ms)",
    ]]],
  );
  assert.deepEqual(
    [cli.ended.detail, cli.violations.map((v) => [v.rule, v.detail])],
    ["the call reached --max-duration (1000 ms)", [[
      "genesys.no-handshake",
      "the genesys handshake did not complete within --max-duration (1000 ms)",
    ]]],
  );
  for (const report of [library, cli]) {
    assert.deepEqual([report.ended.by, report.ended.atMs], ["timeout", 1000]);
  }
});

Deno.test("a WebSocket that never opens names connectTimeoutMs in library use, --connect-timeout from the CLI", async () => {
  const bounds = { connectTimeoutMs: 300 };
  const library = await callUnanswered(bounds);
  const cli = await callUnanswered(bounds, FLAG_NAMES);
  assert.equal(library.ended.detail, "the WebSocket did not open within 300 ms (connectTimeoutMs)");
  assert.equal(cli.ended.detail, "the WebSocket did not open within 300 ms (--connect-timeout)");
  for (const report of [library, cli]) {
    // Dated when the caller gave up, timed from its attempt (never_connected_test.ts).
    assert.deepEqual([report.ended.by, report.ended.atMs, report.connectMs], ["error", 300, null]);
  }
});

Deno.test("a WebSocket that never opens within the call's bound names maxDurationMs in library use, --max-duration from the CLI", async () => {
  const bounds = { maxDurationMs: 200 }; // under connectTimeoutMs's 10 s
  const library = await callUnanswered(bounds);
  const cli = await callUnanswered(bounds, FLAG_NAMES);
  assert.equal(library.ended.detail, "the WebSocket did not open within 200 ms (maxDurationMs)");
  assert.equal(cli.ended.detail, "the WebSocket did not open within 200 ms (--max-duration)");
  for (const report of [library, cli]) {
    assert.deepEqual([report.ended.by, report.ended.atMs, report.connectMs], ["error", 200, null]);
  }
});
