// The demo page's Stop while a session is still starting (awaiting the microphone, the server's
// view, the line's socket): the start is abandoned, everything it opened is closed, and the page
// says Stopped and can start again. Headless Chromium with its fake microphone.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { FAKE_MEDIA_ARGS, launchChromium } from "../runtimes/chromium.ts";

/** How long the page and the server may take to settle after Stop. */
const SETTLE_MS = 10000;

/** The little of the page the checks read (the test itself has no DOM types). */
interface PageGlobal {
  demo: { stats: { state: string } };
  document: {
    getElementById(id: string): {
      textContent: string | null;
      disabled: boolean;
      click(): void;
    };
  };
  /** What the page opened, recorded by the init script below. */
  opened: {
    streams: { getTracks(): { readyState: string }[] }[];
    views: { readyState: number }[];
  };
}

/** What the page has opened that is still open, and what it shows. */
function pageNow(page: Page) {
  return page.evaluate(() => {
    const page = globalThis as unknown as PageGlobal;
    const { streams, views } = page.opened;
    const $ = (id: string) => page.document.getElementById(id);
    return {
      state: page.demo.stats.state,
      status: $("status").textContent,
      talkEnabled: !$("talk").disabled,
      stopEnabled: !$("stop").disabled,
      streams: streams.length,
      liveTracks: streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState !== "ended")
        .length,
      // EventSource.CLOSED is 2.
      openViews: views.filter((view) => view.readyState !== 2).length,
    };
  });
}

/**
 * Clicks Talk on `line` and Stop as soon as the status starts with `statusPrefix`;
 * waits (bounded) until the microphone was opened and released, `lineSockets` line sockets
 * reached the server and all of them closed, and every view stream closed. Then the page must say
 * Stopped, and Talk must start a session again.
 */
async function stopWhile(
  statusPrefix: string,
  lineSockets: number,
  line: "wideband" | "echo" = "wideband",
) {
  const sessions: { closed: boolean }[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createDemoHandler({
      log: () => {},
      onSession(transport) {
        const session = { closed: false };
        sessions.push(session);
        transport.closed.then(() => session.closed = true);
      },
    }),
  );
  try {
    await using browser = await launchChromium({ args: [...FAKE_MEDIA_ARGS] });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    // Runs before the page's scripts: records each microphone stream and view stream the page
    // opens, so the test can see that the abandoned start released them.
    await page.addInitScript(() => {
      // The test has no DOM types: what this touches of the page, typed loosely.
      type Stream = { getTracks(): { readyState: string }[] };
      type Source = new (url: string, init?: unknown) => { readyState: number };
      const page = globalThis as unknown as {
        navigator: { mediaDevices: { getUserMedia(constraints: unknown): Promise<Stream> } };
        EventSource: Source;
      };
      const opened = { streams: [] as Stream[], views: [] as { readyState: number }[] };
      Object.assign(globalThis, { opened });
      const devices = page.navigator.mediaDevices;
      const getUserMedia = devices.getUserMedia.bind(devices);
      devices.getUserMedia = async (constraints) => {
        const stream = await getUserMedia(constraints);
        opened.streams.push(stream);
        return stream;
      };
      const EventSource = page.EventSource;
      page.EventSource = class extends EventSource {
        constructor(url: string, init?: unknown) {
          super(url, init);
          opened.views.push(this);
        }
      };
    });
    await page.goto(`http://127.0.0.1:${server.addr.port}/`);
    await page.locator(`input[name="line"][value="${line}"]`).check();
    // Stop is clicked from within the page as the status changes: the observer runs before the
    // start's pending await can resume, so the click lands in the window under test every time.
    await page.evaluate((prefix) => {
      type Observer = { observe(node: unknown, options: unknown): void; disconnect(): void };
      const { document, MutationObserver } = globalThis as unknown as PageGlobal & {
        MutationObserver: new (callback: () => void) => Observer;
      };
      const status = document.getElementById("status");
      const observer = new MutationObserver(() => {
        if (!status.textContent!.startsWith(prefix)) return;
        observer.disconnect();
        document.getElementById("stop").click();
      });
      observer.observe(status, { childList: true, characterData: true, subtree: true });
    }, statusPrefix);
    await page.getByRole("button", { name: "Talk" }).click();

    let now = await pageNow(page);
    const settled = () =>
      now.streams === 1 && now.liveTracks === 0 && now.openViews === 0 &&
      sessions.length === lineSockets && sessions.every((s) => s.closed);
    for (const deadline = Date.now() + SETTLE_MS; !settled() && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      now = await pageNow(page);
    }
    assert.deepEqual({
      ...now,
      lineSockets: sessions.length,
      openLineSockets: sessions.filter((s) => !s.closed).length,
    }, {
      state: "idle",
      status: "Stopped. Click Talk to start again.",
      talkEnabled: true,
      stopEnabled: false,
      streams: 1,
      liveTracks: 0,
      openViews: 0,
      lineSockets,
      openLineSockets: 0,
    });

    // Nothing the abandoned start left behind stands in the way of the next session.
    await page.getByRole("button", { name: "Talk" }).click();
    await page.waitForFunction(
      () => (globalThis as unknown as PageGlobal).demo.stats.state !== "starting",
      undefined,
      { timeout: SETTLE_MS, polling: 50 },
    );
    assert.equal((await pageNow(page)).state, "live");
    await page.getByRole("button", { name: "Stop" }).click();
    assert.deepEqual(errors, []);
  } finally {
    await server.shutdown();
  }
}

Deno.test("demo page: Stop while it asks for the microphone abandons the start", async () => {
  await stopWhile("Asking for the microphone", 0);
});

Deno.test("demo page: Stop while it opens the server's view closes the view", async () => {
  await stopWhile("Opening the server's view", 0);
});

Deno.test("demo page: Stop while it connects closes the line's socket and says Stopped", async () => {
  await stopWhile("Connecting", 1);
});

Deno.test("demo page: Stop while the echo line connects closes its socket", async () => {
  await stopWhile("Connecting", 1, "echo");
});
