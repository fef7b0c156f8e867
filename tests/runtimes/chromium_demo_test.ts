import assert from "node:assert/strict";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { demoOrigins } from "../../examples/demo/origins.ts";
import { wrapWav } from "../../src/audio/wav.ts";
import type { Page } from "playwright-core";
import { FAKE_MEDIA_ARGS, launchChromium } from "./chromium.ts";

const TONE_HZ = 1000;
const TONE_AMPLITUDE = 0.5; // a sine's RMS is amplitude / √2: −9.03 dBFS
const CAPTURE_RATE = 48000;

/** Two seconds of a pure tone as a WAV file: the fake microphone loops it. */
function toneWav(): Uint8Array {
  const samples = new Int16Array(CAPTURE_RATE * 2);
  for (let i = 0; i < samples.length; i++) {
    samples[i] = Math.round(
      TONE_AMPLITUDE * 0x7fff * Math.sin((2 * Math.PI * TONE_HZ * i) / CAPTURE_RATE),
    );
  }
  return wrapWav(new Uint8Array(samples.buffer), { sampleRate: CAPTURE_RATE, channels: 1 });
}

/** RMS in dBFS and the frequency from zero crossings of 16 kHz samples. */
function analyse(samples: readonly number[]): { db: number; hz: number } {
  let sumSquares = 0;
  let crossings = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]! / 0x8000;
    sumSquares += s * s;
    if (i > 0 && samples[i - 1]! < 0 && samples[i]! >= 0) {
      if (first < 0) first = i;
      else crossings++;
      last = i;
    }
  }
  const db = 20 * Math.log10(Math.sqrt(sumSquares / samples.length));
  return { db, hz: crossings > 0 ? (crossings * 16000) / (last - first) : 0 };
}

interface PageStats {
  state: string;
  sentPackets: number;
  sentBytes: number;
  receivedPackets: number;
  receivedBytes: number;
  oddPackets: number;
  messagesReceived: number;
  interrupts: number;
  inputDb: number | null;
  outputDb: number | null;
  receivedDb: number | null;
  rttMs: number | null;
  bufferedMs: number;
  underruns: number;
}

/** What the page exposes as `globalThis.demo`. */
interface DemoGlobal {
  demo: { stats: PageStats; recentOutput(): number[] };
}

/** The little of the page's DOM the checks read (the test itself has no DOM types). */
interface PageDocument {
  getElementById(id: string): { textContent: string | null; title: string; disabled?: boolean };
}

/** Whether each control is disabled and the `title` that says why, the hint, and the round trip. */
async function controls(page: Page) {
  return await page.evaluate(() => {
    const document = (globalThis as unknown as { document: PageDocument }).document;
    const titleOf = (id: string) => {
      const element = document.getElementById(id);
      return { disabled: element.disabled === true, title: element.title };
    };
    return {
      talk: titleOf("talk"),
      stop: titleOf("stop"),
      interrupt: titleOf("interrupt"),
      delay: titleOf("delay"),
      aec: titleOf("aec"),
      hint: document.getElementById("controls-hint").textContent,
      rtt: document.getElementById("rtt").textContent,
    };
  });
}

Deno.test({
  name: "demo page echoes a fake microphone's tone through the server in headless Chromium",
  async fn() {
    const tmp = await Deno.makeTempDir({ prefix: "demo-chromium-" });
    let handler = createDemoHandler();
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      (request) => handler(request),
    );
    const origin = `http://127.0.0.1:${server.addr.port}`;
    handler = createDemoHandler({ origins: demoOrigins("127.0.0.1", server.addr.port) });
    let serverDown = false;
    try {
      const wavPath = `${tmp}/tone.wav`;
      await Deno.writeFile(wavPath, toneWav());
      await using browser = await launchChromium({
        args: [...FAKE_MEDIA_ARGS, `--use-file-for-fake-audio-capture=${wavPath}`],
      });
      const page = await browser.newPage();
      const pageErrors: string[] = [];
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      page.on("console", (message) => {
        if (message.type() === "error") pageErrors.push(message.text());
      });
      const stats = () => page.evaluate(() => (globalThis as unknown as DemoGlobal).demo.stats);

      await page.goto(`${origin}/`);
      assert.equal(await page.title(), "ws-transport · voice echo");
      const idle = await controls(page);
      assert.ok(!idle.talk.disabled && idle.stop.disabled && idle.interrupt.disabled);
      assert.match(idle.stop.title, /No session is running: click Talk/);
      assert.match(idle.interrupt.title, /click Talk/);
      // The fake microphone is not in the room: nothing to cancel, and cancelling the far end's
      // copy of a steady tone would only lower the level we measure.
      await page.getByLabel("Echo cancellation").uncheck();
      await page.getByRole("button", { name: "Talk" }).click();

      // Predicates are functions, not strings: the page's CSP forbids eval, which string
      // predicates need. They run in the page, so they may only use what they are passed.
      await page.waitForFunction(
        () => {
          const s = (globalThis as unknown as DemoGlobal).demo.stats;
          return s.receivedPackets >= 50 && s.outputDb! > -20 && s.rttMs !== null;
        },
        undefined,
        { timeout: 15000, polling: 100 },
      );
      await page.screenshot({ path: `${tmp}/demo.png` });
      if (Deno.env.get("DEMO_SCREENSHOT")) {
        await Deno.copyFile(`${tmp}/demo.png`, Deno.env.get("DEMO_SCREENSHOT")!);
      }

      const live = await stats();
      assert.equal(live.state, "live");
      // Controls that do not apply during a session say why, on the control and in the hint.
      const during = await controls(page);
      assert.ok(during.talk.disabled && during.delay.disabled && during.aec.disabled);
      assert.match(during.talk.title, /A session is running: Stop it/);
      assert.match(during.delay.title, /fixed for a session: Stop to change it/);
      assert.match(during.aec.title, /fixed for a session: Stop to change it/);
      assert.match(during.hint!, /fixed while a session runs: Stop to change them/);
      assert.equal(during.stop.title, "", "an enabled control needs no excuse");
      assert.equal(live.oddPackets, 0, "every echoed packet is 640 bytes");
      assert.ok(live.receivedBytes <= live.sentBytes, "the echo sends back no more than it got");
      assert.ok(live.inputDb! > -12 && live.inputDb! < -6, `input level ${live.inputDb} dBFS`);
      assert.ok(live.rttMs! >= 0 && live.rttMs! < 1000, `round trip ${live.rttMs} ms`);
      const echoed = analyse(
        await page.evaluate(() => (globalThis as unknown as DemoGlobal).demo.recentOutput()),
      );
      assert.ok(Math.abs(echoed.db + 9.03) < 1.5, `echoed level ${echoed.db} dBFS`);
      assert.ok(Math.abs(echoed.hz - TONE_HZ) < 20, `echoed tone at ${echoed.hz} Hz`);

      await page.getByRole("button", { name: "Interrupt" }).click();
      const afterInterrupt = live.receivedPackets + 25;
      await page.waitForFunction(
        (packets) => {
          const s = (globalThis as unknown as DemoGlobal).demo.stats;
          return s.interrupts === 1 && s.receivedPackets >= packets;
        },
        afterInterrupt,
        { timeout: 10000, polling: 100 },
      );
      const after = await stats();
      assert.equal(after.oddPackets, 0);
      assert.ok(after.receivedBytes <= after.sentBytes);
      assert.equal(
        await page.locator("#status").textContent(),
        "Interrupted: queued audio dropped on both ends.",
      );
      // The note clears while the echo goes on: the live status comes back, and audio with it.
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { document: PageDocument }).document
            .getElementById("status").textContent!.startsWith("Live at "),
        undefined,
        { timeout: 5000, polling: 100 },
      );
      const resumed = (await stats()).receivedPackets;
      await page.waitForFunction(
        (packets) =>
          (globalThis as unknown as DemoGlobal).demo.stats.receivedPackets > packets + 10,
        resumed,
        { timeout: 5000, polling: 100 },
      );

      await page.getByRole("button", { name: "Stop" }).click();
      await page.waitForFunction(
        () => (globalThis as unknown as DemoGlobal).demo.stats.state === "idle",
        undefined,
        { timeout: 5000, polling: 100 },
      );
      // A stopped session shows no round trip: the last one would read as current.
      const stopped = await controls(page);
      assert.equal(stopped.rtt, "–");
      assert.equal((await stats()).rttMs, null);
      assert.ok(stopped.stop.disabled && !stopped.delay.disabled);
      assert.match(stopped.stop.title, /click Talk/);

      // Again with the server delaying the echo: the ping waits in the same delay line.
      await page.getByLabel("Echo delay").selectOption("500");
      await page.getByRole("button", { name: "Talk" }).click();
      await page.waitForFunction(
        () => {
          const s = (globalThis as unknown as DemoGlobal).demo.stats;
          return s.state === "live" && s.rttMs !== null && s.receivedPackets >= 10;
        },
        undefined,
        { timeout: 10000, polling: 100 },
      );
      const delayed = await stats();
      assert.ok(
        delayed.rttMs! >= 495 && delayed.rttMs! < 1500,
        `delayed round trip ${delayed.rttMs} ms`,
      );
      await page.getByRole("button", { name: "Stop" }).click();
      assert.deepEqual(pageErrors, []);

      // The server goes away; Talk says which server cannot be reached, not how a worklet failed.
      await server.shutdown();
      serverDown = true;
      await page.getByRole("button", { name: "Talk" }).click();
      await page.waitForFunction(
        () => (globalThis as unknown as DemoGlobal).demo.stats.state === "error",
        undefined,
        { timeout: 10000, polling: 100 },
      );
      assert.equal(
        await page.locator("#status").textContent(),
        `Could not start: cannot reach the server at ${origin}: is it running?`,
      );
      const failed = await controls(page);
      assert.ok(!failed.talk.disabled && failed.stop.disabled, "Talk can be tried again");
      console.log(
        `sent ${after.sentPackets} packets, received ${after.receivedPackets}; round trip ` +
          `${live.rttMs!.toFixed(1)} ms; echoed ${echoed.hz.toFixed(1)} Hz at ${
            echoed.db.toFixed(2)
          } dBFS; ` +
          `playout buffer ${live.bufferedMs.toFixed(0)} ms; underruns ${after.underruns}; ` +
          `with delay_ms=500 the round trip is ${delayed.rttMs!.toFixed(1)} ms`,
      );
    } finally {
      if (!serverDown) await server.shutdown();
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
