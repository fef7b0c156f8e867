// simulateCall and the command line take the same URLs: a WebSocket URL (`ws://`, `wss://`, no
// `#fragment`, one the URL parser takes). simulateCall dialled an `http://` URL (Deno's WebSocket
// takes it, as the WebSockets Standard now lets it) that the command line refused as bad usage;
// and one no WebSocket can be made for came back as a report "could not connect", as though a
// bot were down, where the command line refused it. Both now refuse the same, a RangeError from
// simulateCall (its bad options reject), exit 2 from the command line; a `connect` of the
// caller's own still dials whatever it is given (an in-memory pair's `memory://bot`).
// The bot is a real socket on 127.0.0.1:0 that would take any call.
import assert from "node:assert/strict";
import { simulateCall } from "../../src/simulator/mod.ts";
import { runCli } from "./_cli.ts";

/** A server that upgrades every request and closes at once: a call to it would connect. */
function anyBot() {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const { socket, response } = Deno.upgradeWebSocket(request);
    socket.onopen = () => socket.close(1000, "bye");
    return response;
  });
  return { port: server.addr.port, close: () => server.shutdown() };
}

Deno.test("simulateCall refuses the URLs the command line refuses, before any call", async () => {
  const bot = anyBot();
  try {
    const refused: [string, RegExp][] = [
      [
        `http://127.0.0.1:${bot.port}/`,
        /^url must start with ws:\/\/ or wss:\/\/, got http:.*ws:\/\//,
      ],
      [`https://127.0.0.1:${bot.port}/`, /^url must start with ws:\/\/ or wss:\/\/.*wss:\/\//],
      ["ws://foo bar.com/", /^url is not a valid URL, got ws:\/\/foo bar\.com\//],
      [`ws://127.0.0.1:${bot.port}/#test`, /^url must have no #fragment/],
    ];
    for (const [url, message] of refused) {
      await assert.rejects(
        simulateCall(url, { protocol: "raw", maxDurationMs: 1000 }),
        (error: Error) => error instanceof RangeError && message.test(error.message),
        url,
      );
      const cli = await runCli(["-q", "-p", "raw", "--max-duration", "1000", url]);
      assert.equal(cli.code, 2, `${url}: ${cli.stdout.split("\n")[0]}`);
      assert.equal(cli.stdout, "", "no call, no report");
      assert.match(cli.stderr, new RegExp(`^simulate: the URL ${message.source.slice(5)}`));
    }
  } finally {
    await bot.close();
  }
});

Deno.test("simulateCall and the command line both take WS:// in capitals, a scheme in any case", async () => {
  const bot = anyBot();
  try {
    const url = `WS://127.0.0.1:${bot.port}/`;
    const report = await simulateCall(url, { protocol: "raw", maxDurationMs: 1000 });
    assert.equal(report.ended.by, "bot", report.ended.detail);
    const cli = await runCli(["-q", "--json", "-p", "raw", "--max-duration", "1000", url]);
    assert.notEqual(cli.code, 2, cli.stderr);
    assert.equal(JSON.parse(cli.stdout).ended.by, "bot");
  } finally {
    await bot.close();
  }
});

Deno.test("simulateCall with a connect of its own dials whatever URL it is given", async () => {
  const report = await simulateCall("memory://bot", {
    protocol: "raw",
    maxDurationMs: 1000,
    connect: () => {
      throw new Error("no such bot");
    },
  });
  assert.equal(report.ended.by, "error");
  assert.match(report.ended.detail, /could not connect: no such bot/);
});
