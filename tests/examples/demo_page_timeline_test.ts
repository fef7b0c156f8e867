// The demo page's timeline once the line is gone: what it draws up to "now" is what is still
// going on, and nothing is once the session is over. Headless Chromium with its fake microphone;
// the canvas is read as the user sees it. Every wait is bounded and polls the page.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { wrapWav } from "../../src/audio/wav.ts";
import { syntheticCaller } from "../../src/simulator/synthetic_caller.ts";
import { demoProcess } from "./_demo_process.ts";
import { FAKE_MEDIA_ARGS, launchChromium, pageErrors } from "../runtimes/chromium.ts";

/** How long the page and the server may take to get where a check waits for. */
const SETTLE_MS = 15000;

/** The little of the page the checks read (the test itself has no DOM types). */
interface PageGlobal {
  demo: { stats: { state: string }; viewEvents(): { type: string }[] };
}

/** Waits (bounded) until `check` holds in the page. */
function until(page: Page, check: () => boolean) {
  return page.waitForFunction(check, undefined, { timeout: SETTLE_MS, polling: 50 });
}

/**
 * Whether the timeline's "Heard (server)" lane (the third of four) is painted `agoMs` before the
 * last frame drawn: the canvas's pixel there, as timeline.js lays it out (labels 118 px wide, the
 * plot to 8 px from the right edge over the last 15 s, an 18 px axis under four lanes).
 */
function heardLanePainted(page: Page, agoMs: number): Promise<boolean> {
  return page.evaluate((agoMs) => {
    type Canvas = {
      clientWidth: number;
      clientHeight: number;
      getContext(kind: "2d"): {
        getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
      };
    };
    const page = globalThis as unknown as {
      document: { getElementById(id: string): Canvas };
      devicePixelRatio: number;
    };
    const canvas = page.document.getElementById("timeline");
    const ratio = page.devicePixelRatio || 1;
    const plot = canvas.clientWidth - 118 - 8;
    const x = 118 + plot * (1 - agoMs / 15000);
    const y = ((canvas.clientHeight - 18) / 4) * 2.5;
    const pixel = canvas.getContext("2d").getImageData(
      Math.round(x * ratio),
      Math.round(y * ratio),
      1,
      1,
    );
    return pixel.data[3]! > 0;
  }, agoMs);
}

Deno.test("demo page: the server dies while the parrot is heard: the timeline's Heard lane stops where the line was lost, not at every new now", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "demo-page-timeline-" });
  const { child, origin } = await demoProcess();
  try {
    // 1.5 s of quiet, 3 s of speech, 1.5 s of quiet (looped): the parrot answers in the quiet,
    // with a reply long enough to die in the middle of.
    const caller = syntheticCaller({ utterancesMs: [3000], pauseMs: 1500, sampleRate: 16000 });
    const mic = `${tmp}/mic.wav`;
    await Deno.writeFile(
      mic,
      wrapWav(caller.pcm as Uint8Array, { sampleRate: 16000, channels: 1 }),
    );
    await using browser = await launchChromium({
      args: [...FAKE_MEDIA_ARGS, `--use-file-for-fake-audio-capture=${mic}`],
    });
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await page.goto(`${origin}/`);
    await page.locator('input[name="line"][value="wideband"]').check();
    await page.getByLabel("Echo cancellation").uncheck();
    await page.getByRole("button", { name: "Talk" }).click();
    await until(
      page,
      () =>
        (globalThis as unknown as PageGlobal).demo.viewEvents().some((e) =>
          e.type === "speakingstart"
        ),
    );
    // The page draws every 100 ms: a frame drawn since the parrot became audible shows it now.
    await page.waitForTimeout(300);
    assert.ok(await heardLanePainted(page, 100), "the lane shows the parrot heard now");
    child.kill("SIGKILL"); // crashed: no speakingstop, no "ended" on the view
    await child.status;
    await until(page, () => (globalThis as unknown as PageGlobal).demo.stats.state === "error");
    // A second on, the lane's last second is the time since the line was lost: nothing was heard.
    await page.waitForTimeout(1000);
    assert.equal(await heardLanePainted(page, 300), false, "the lane is blank after the loss");
    // The browser logs the view's stream the dead server cut mid-way: the network's word, not
    // the page's error.
    const cut = /^Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING$/;
    assert.deepEqual(errors.filter((error) => !cut.test(error)), []);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* gone already */ }
    await child.status;
    await Deno.remove(tmp, { recursive: true });
  }
});
