// The demo page as one session ends and another begins, or as the server goes away: what the
// page shows belongs to the session on show, and nothing stays lit for a parrot that is gone.
// Headless Chromium with its fake microphone; every wait is bounded and polls the page.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { wrapWav } from "../../src/audio/wav.ts";
import { syntheticCaller } from "../../src/simulator/synthetic_caller.ts";
import { demoProcess } from "./_demo_process.ts";
import { FAKE_MEDIA_ARGS, launchChromium } from "../runtimes/chromium.ts";

/** How long the page and the server may take to get where a check waits for. */
const SETTLE_MS = 15000;

/** The little of the page the checks read (the test itself has no DOM types). */
interface PageGlobal {
  demo: {
    stats: { state: string };
    viewEvents(): { type: string }[];
    log(): { text: string }[];
  };
  document: {
    getElementById(id: string): {
      textContent: string | null;
      dataset: Record<string, string>;
      lastElementChild: { textContent: string | null };
      click(): void;
    };
  };
  /** The message types each view stream the page opened received, recorded by an init script. */
  viewTypes: string[][];
}

/** Waits (bounded) until `check` holds in the page. */
function until(page: Page, check: () => boolean) {
  return page.waitForFunction(check, undefined, { timeout: SETTLE_MS, polling: 50 });
}

/** Opens the page on the wideband line (echo cancellation off: the fake microphone is no room). */
async function openPage(page: Page, origin: string): Promise<string[]> {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(`${origin}/`);
  await page.locator('input[name="line"][value="wideband"]').check();
  await page.getByLabel("Echo cancellation").uncheck();
  return errors;
}

Deno.test("demo page: Stop then Talk at once: the stopped session's lingering view writes nothing into the new session's log", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createDemoHandler({ log: () => {} }),
  );
  try {
    await using browser = await launchChromium({ args: [...FAKE_MEDIA_ARGS] });
    const page = await browser.newPage();
    // Runs before the page's scripts: records what each view stream receives, so the test knows
    // when the stopped session's view has said its last ("ended") to the page.
    await page.addInitScript(() => {
      type Source = new (url: string, init?: unknown) => {
        addEventListener(type: string, listener: (message: { data: string }) => void): void;
      };
      const page = globalThis as unknown as { EventSource: Source; viewTypes: string[][] };
      page.viewTypes = [];
      const EventSource = page.EventSource;
      page.EventSource = class extends EventSource {
        constructor(url: string, init?: unknown) {
          super(url, init);
          const types: string[] = [];
          page.viewTypes.push(types);
          this.addEventListener("message", (m) => types.push(JSON.parse(m.data).type));
        }
      };
    });
    const errors = await openPage(page, `http://127.0.0.1:${server.addr.port}`);
    await page.getByRole("button", { name: "Talk" }).click();
    await until(page, () => (globalThis as unknown as PageGlobal).demo.stats.state === "live");
    // Both clicks in one task: the next session starts while the first one's view lingers.
    await page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobal;
      document.getElementById("stop").click();
      document.getElementById("talk").click();
    });
    await until(page, () => {
      const page = globalThis as unknown as PageGlobal;
      return page.demo.stats.state === "live" && page.viewTypes[0]!.includes("ended");
    });
    const texts = await page.evaluate(() =>
      (globalThis as unknown as PageGlobal).demo.log().map((entry) => entry.text)
    );
    assert.ok(!texts.some((text) => text.startsWith("Session ended")), texts.join("\n"));
    assert.equal(
      texts.filter((text) => text.startsWith("Connected to")).length,
      1,
      texts.join("\n"),
    );
    await page.getByRole("button", { name: "Stop" }).click();
    assert.deepEqual(errors, []);
  } finally {
    await server.shutdown();
  }
});

Deno.test("demo page: the server dies while the parrot speaks: the page says the connection is lost and the parrot's lamp goes out", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "demo-page-session-" });
  const { child, origin } = await demoProcess();
  try {
    // 1.5 s of quiet, 1.5 s of speech, 1.5 s of quiet (looped): the parrot answers in the quiet.
    const caller = syntheticCaller({ utterancesMs: [1500], pauseMs: 1500, sampleRate: 16000 });
    const mic = `${tmp}/mic.wav`;
    await Deno.writeFile(
      mic,
      wrapWav(caller.pcm as Uint8Array, { sampleRate: 16000, channels: 1 }),
    );
    await using browser = await launchChromium({
      args: [...FAKE_MEDIA_ARGS, `--use-file-for-fake-audio-capture=${mic}`],
    });
    const page = await browser.newPage();
    const errors = await openPage(page, origin);
    await page.getByRole("button", { name: "Talk" }).click();
    await until(page, () => {
      const { demo, document } = globalThis as unknown as PageGlobal;
      return demo.viewEvents().some((e) => e.type === "speakingstart") &&
        document.getElementById("bot-lamp").dataset.on === "true";
    });
    child.kill("SIGKILL"); // crashed, or Ctrl-C: no goodbye on the line nor on the view
    await child.status;
    await until(page, () => (globalThis as unknown as PageGlobal).demo.stats.state === "error");
    const shown = await page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobal;
      const lamp = document.getElementById("bot-lamp");
      return {
        status: document.getElementById("status").textContent,
        lamp: { on: lamp.dataset.on, text: lamp.lastElementChild.textContent },
      };
    });
    assert.match(shown.status!, /^Lost the connection to the server/);
    assert.deepEqual(shown.lamp, { on: "false", text: "silent" });
    assert.deepEqual(errors, []);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* gone already */ }
    await child.status;
    await Deno.remove(tmp, { recursive: true });
  }
});
