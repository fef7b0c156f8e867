// The demo page opened from another machine over plain http (`HOST=0.0.0.0`, its address in
// ORIGINS): the browser gives such a page no microphone. `navigator.mediaDevices` is "available
// only in secure contexts" (https, or http on a loopback name; MDN, Navigator: mediaDevices
// property, from Media Capture and Streams; web-platform-tests'
// mediacapture-streams/MediaDevices-SecureContext.html asserts it is not exposed), so the page
// must say why Talk cannot start, not the TypeError of reading `getUserMedia` of `undefined`.
// Headless Chromium with its fake microphone; the page's name maps to 127.0.0.1.

import assert from "node:assert/strict";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { FAKE_MEDIA_ARGS, launchChromium } from "../runtimes/chromium.ts";

/** How long the page may take to give up. */
const SETTLE_MS = 10000;

/** The little of the page the check reads (the test itself has no DOM types). */
interface PageGlobal {
  isSecureContext: boolean;
  demo: { stats: { state: string } };
  document: { getElementById(id: string): { textContent: string | null } };
}

Deno.test("demo page at a name that is no secure context says the microphone needs https or this machine's own address, and offers Talk again", async () => {
  // A name of the server's, as another machine would reach it: listed in its origins.
  const name = "demo-lan.test";
  let handler: (request: Request) => Promise<Response> = () =>
    Promise.resolve(new Response("starting", { status: 503 }));
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (request) => handler(request),
  );
  const origin = `http://${name}:${server.addr.port}`;
  handler = createDemoHandler({ origins: [origin] });
  try {
    await using browser = await launchChromium({
      args: [...FAKE_MEDIA_ARGS, `--host-resolver-rules=MAP ${name} 127.0.0.1`],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    await page.goto(`${origin}/`);
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as PageGlobal).isSecureContext),
      false,
    );
    await page.getByRole("button", { name: "Talk" }).click();
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobal).demo.stats.state === "error",
      undefined,
      { timeout: SETTLE_MS, polling: 50 },
    );
    const status = await page.evaluate(() =>
      (globalThis as unknown as PageGlobal).document.getElementById("status").textContent
    );
    assert.match(
      status!,
      /^Could not start: the microphone and the audio player need a secure page/,
    );
    assert.match(status!, /https/);
    assert.equal(await page.getByRole("button", { name: "Talk" }).isEnabled(), true);
    assert.deepEqual(errors, []);
  } finally {
    await server.shutdown();
  }
});
