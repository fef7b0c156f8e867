// The demo's origins behind a proxy: ORIGINS names origins only (a path is refused at start-up,
// not cut off), and a Host naming an origin's default port is that origin's host.
import assert from "node:assert/strict";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { parseOrigins } from "../../examples/demo/origins.ts";

Deno.test("demo's ORIGINS refuses an entry with a path, query or user, naming it and its origin", () => {
  for (
    const entry of [
      "https://demo.example/path",
      "https://demo.example/?a=1",
      "https://u@demo.example",
    ]
  ) {
    assert.throws(
      () => parseOrigins(`https://ok.example, ${entry}`),
      (error: Error) =>
        error instanceof RangeError && error.message.includes(JSON.stringify(entry)) &&
        error.message.includes("(its origin is https://demo.example)"),
      entry,
    );
  }
  // A lone trailing slash is no path; letter case and the default port come out as browsers send.
  assert.deepEqual(parseOrigins("https://Demo.Example:443/ , http://b.example:8080"), [
    "https://demo.example",
    "http://b.example:8080",
  ]);
});

Deno.test("demo behind a proxy takes a Host naming the origin's default port as the origin's host", async () => {
  const handler = createDemoHandler({ origins: ["https://demo.example", "http://plain.example"] });
  const status = async (url: string) => {
    const response = await handler(new Request(url));
    await response.body?.cancel();
    return response.status;
  };
  // The request's URL is built from its Host: a proxy forwarding over http sends either.
  assert.equal(await status("http://demo.example/"), 200);
  assert.equal(await status("http://demo.example:443/"), 200);
  assert.equal(await status("http://plain.example:80/"), 200);
  assert.equal(await status("https://plain.example:80/"), 200);
  // Another port is another host.
  assert.equal(await status("http://demo.example:8443/"), 403);
  assert.equal(await status("http://plain.example:443/"), 403);
  assert.equal(await status("http://evil.example:443/"), 403);
});
