// A URL the CLI takes must be one a WebSocket can be made for: one that cannot (not a URL, or one
// with a fragment) is bad usage, exit 2 with the reason, as a URL of another scheme is. It was
// taken, and each call then "failed to connect" (exit 1, a report per call), as though a bot were
// down. What cannot be a WebSocket URL: the WebSockets Standard's constructor steps (parse the
// URL, SyntaxError on failure; a non-null fragment, SyntaxError), as the web-platform-tests'
// websockets/Create-invalid-urls.any.js checks them: "ws://foo bar.com/", origin + "/#",
// origin + "/#test".
// Each is a subprocess of `deno run src/simulator/cli.ts`, refused before any call is made.
import assert from "node:assert/strict";
import { runCli as simulate } from "./_cli.ts";

Deno.test("the simulate CLI refuses a URL no WebSocket can be made for, as bad usage", async () => {
  const refused: [string, RegExp][] = [
    ["ws://foo bar.com/", /^simulate: the URL is not a valid URL, got ws:\/\/foo bar\.com\//],
    ["ws://[::1/", /^simulate: the URL is not a valid URL, got ws:\/\/\[::1\//],
    ["ws://127.0.0.1:9/#", /^simulate: the URL must have no #fragment/],
    ["ws://127.0.0.1:9/phone#test", /^simulate: the URL must have no #fragment/],
  ];
  await Promise.all(refused.map(async ([url, message]) => {
    const { code, stdout, stderr } = await simulate(["-q", "--max-duration", "1000", url]);
    assert.equal(code, 2, `${url}: ${stdout.split("\n")[0]}`);
    assert.match(stderr, message);
    assert.equal(stdout, "", "no call, no report");
  }));
});

Deno.test("the simulate CLI still takes a WebSocket URL with a query", async () => {
  // Nothing listens on port 9: the call is made and fails to connect (exit 1), not refused.
  const { code, stdout } = await simulate([
    "-q",
    "--max-duration",
    "1000",
    "ws://127.0.0.1:9/ws?delay_ms=2000",
  ]);
  assert.equal(code, 1, stdout.split("\n")[0] ?? "");
  assert.match(stdout, /could not connect/);
});
