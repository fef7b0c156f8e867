// The demo page's phone line when its marks do not come back (a page that never acknowledges, as
// a hostile or broken Twilio would): the server's answer to the barge-in is then an estimate, and
// the page must say why in the phone line's terms. Twilio's "Media Streams - WebSocket Messages",
// the `mark` message: Twilio sends a mark back "when the media that was sent prior to the mark
// message has been played" — here none comes, so nothing the server says rests on one. Headless
// Chromium with a fake microphone; every wait is bounded and polls the page.

import assert from "node:assert/strict";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { wrapWav } from "../../src/audio/wav.ts";
import { syntheticCaller } from "../../src/simulator/synthetic_caller.ts";
import { FAKE_MEDIA_ARGS, launchChromium, pageErrors } from "../runtimes/chromium.ts";

/** How long the page and the server may take to get where a check waits for. */
const SETTLE_MS = 20000;

/** The little of the page the checks read (the test itself has no DOM types). */
interface PageGlobal {
  demo: { viewEvents(): { type: string; [key: string]: unknown }[] };
  document: { getElementById(id: string): { textContent: string | null } };
}

/**
 * A microphone file: a phrase, a pause the parrot starts its reply in, and a second phrase that
 * talks over the reply. espeak-ng's voice where it is installed, the simulator's speech-like
 * caller otherwise. Chromium's fake device loops the file.
 */
async function bargingMicrophone(dir: string): Promise<string> {
  const path = `${dir}/mic.wav`;
  const text = '<speak><break time="1000ms"/>Hello parrot, say this back to me.' +
    '<break time="1200ms"/>Stop, stop, I am talking over you now.<break time="8000ms"/></speak>';
  const spoken = await new Deno.Command("espeak-ng", {
    args: ["-m", "-v", "en-us", "-s", "160", "-w", path, text],
  }).output().then((output) => output.success, () => false);
  if (spoken) return path;
  const caller = syntheticCaller({ utterancesMs: [2000, 2000], pauseMs: 1200, sampleRate: 16000 });
  await Deno.writeFile(
    path,
    wrapWav(caller.pcm as Uint8Array, { sampleRate: 16000, channels: 1 }),
  );
  return path;
}

Deno.test("demo page's phone line: a barge-in whose marks never came back is shown as estimated for want of marks, not as raw PCM's", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "demo-page-unacked-" });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    createDemoHandler({ log: () => {} }),
  );
  try {
    const mic = await bargingMicrophone(tmp);
    await using browser = await launchChromium({
      args: [...FAKE_MEDIA_ARGS, `--use-file-for-fake-audio-capture=${mic}`],
    });
    const page = await browser.newPage();
    const errors = pageErrors(page);
    // Runs before the page's scripts: every `mark` the page would send back is swallowed.
    await page.addInitScript(() => {
      const { WebSocket } = globalThis as unknown as {
        WebSocket: { prototype: { send(data: unknown): void } };
      };
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (data) {
        if (typeof data === "string" && JSON.parse(data).event === "mark") return;
        send.call(this, data);
      };
    });
    await page.goto(`http://127.0.0.1:${server.addr.port}/`);
    await page.locator('input[name="line"][value="phone"]').check();
    await page.getByLabel("Echo cancellation").uncheck();
    await page.getByRole("button", { name: "Talk" }).click();
    await page.waitForFunction(
      () =>
        (globalThis as unknown as PageGlobal).demo.viewEvents().some((e) =>
          e.type === "interrupted"
        ) &&
        /^Heard /.test(
          (globalThis as unknown as PageGlobal).document.getElementById("heard").textContent ?? "",
        ),
      undefined,
      { timeout: SETTLE_MS, polling: 50 },
    );
    const { interrupted, detail } = await page.evaluate(() => {
      const { demo, document } = globalThis as unknown as PageGlobal;
      return {
        interrupted: demo.viewEvents().find((e) => e.type === "interrupted")!,
        detail: document.getElementById("heard-detail").textContent ?? "",
      };
    });
    await page.getByRole("button", { name: "Stop" }).click();
    // No mark came back: the server's figure is its estimate.
    assert.equal(interrupted.acknowledged, false);
    assert.match(detail, /estimated/, detail);
    assert.doesNotMatch(detail, /raw PCM/, detail);
    assert.match(detail, /marks? .*(not|never) (come|came) back|no mark/, detail);
    assert.deepEqual(errors, []);
  } finally {
    await server.shutdown();
    await Deno.remove(tmp, { recursive: true });
  }
});
