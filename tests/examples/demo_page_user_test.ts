// The demo page used as a person uses it, in headless Chromium with a fake microphone: the
// things a user runs into besides a good call. The microphone refused; the phone line's marks
// acknowledged only once the page's player has played the audio before them (Twilio's rule:
// "Media Streams - WebSocket Messages", the `mark` message: sent back "when the media that was
// sent prior to the mark message has been played"); two tabs at once; the server stopped in the
// middle of a call, and started again. Every wait is bounded and polls the page.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { createDemoHandler } from "../../examples/demo/handler.ts";
import { wrapWav } from "../../src/audio/wav.ts";
import { syntheticCaller } from "../../src/simulator/synthetic_caller.ts";
import { FAKE_MEDIA_ARGS, launchChromium, pageErrors } from "../runtimes/chromium.ts";

/** How long the page and the server may take to get where a check waits for. */
const SETTLE_MS = 20000;

/** The little of the page the checks read (the test itself has no DOM types). */
interface PageGlobal {
  demo: {
    stats: { state: string; marks: { received: number; played: number; cleared: number } };
    viewEvents(): { type: string; [key: string]: unknown }[];
    log(): { text: string }[];
  };
  document: {
    getElementById(id: string): {
      textContent: string | null;
      disabled: boolean;
      dataset: Record<string, string>;
    };
  };
  /** What the page and its player said to each other, recorded by {@linkcode recordPlayer}. */
  player: PlayerMessage[];
}

/** A message to the player (`to`) or from it, as the init script records them. */
type PlayerMessage =
  | { to: true; pcmSamples?: number; mark?: string; clear?: boolean }
  | { to: false; marksPlayed?: string[]; cleared?: { marks: string[] }; played?: number };

/** Waits (bounded) until `check` holds in the page. */
function until(page: Page, check: () => boolean) {
  return page.waitForFunction(check, undefined, { timeout: SETTLE_MS, polling: 50 });
}

/** What the page shows: its state, its status line, whether Talk is on, the parrot's lamp. */
function shown(page: Page) {
  return page.evaluate(() => {
    const { demo, document } = globalThis as unknown as PageGlobal;
    return {
      state: demo.stats.state,
      status: document.getElementById("status").textContent,
      talk: !document.getElementById("talk").disabled,
      botLamp: document.getElementById("bot-lamp").dataset.on,
    };
  });
}

/**
 * A microphone file: a phrase 1 s in, then 8 s of quiet, long enough for the parrot to say it
 * back. espeak-ng's voice where it is installed (`.ci/run` installs it; SSML breaks make the
 * quiet), the simulator's speech-like caller otherwise. Chromium's fake device loops the file.
 */
async function microphone(dir: string): Promise<string> {
  const path = `${dir}/mic.wav`;
  const text = '<speak><break time="1000ms"/>Hello parrot, say this back to me.' +
    '<break time="8000ms"/></speak>';
  const spoken = await new Deno.Command("espeak-ng", {
    args: ["-m", "-v", "en-us", "-s", "160", "-w", path, text],
  }).output().then((output) => output.success, () => false);
  if (spoken) return path;
  const rate = 16000;
  const caller = syntheticCaller({ utterancesMs: [2500], pauseMs: 1000, sampleRate: rate });
  const pcm = caller.pcm as Uint8Array;
  const all = new Uint8Array(pcm.length + 2 * rate * 7);
  all.set(pcm);
  await Deno.writeFile(path, wrapWav(all, { sampleRate: rate, channels: 1 }));
  return path;
}

/** Chromium whose fake microphone plays {@linkcode microphone}'s file, made in `dir`. */
async function browserWithMicrophone(dir: string) {
  const mic = await microphone(dir);
  return await launchChromium({
    args: [...FAKE_MEDIA_ARGS, `--use-file-for-fake-audio-capture=${mic}`],
  });
}

/** The demo on 127.0.0.1 (port 0 unless given), with the lines its sessions log. */
function serveDemo(port = 0) {
  const logged: string[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen() {} },
    createDemoHandler({ log: (line) => logged.push(line) }),
  );
  return { server, logged, origin: `http://127.0.0.1:${server.addr.port}` };
}

/** Opens the page on `line`, echo cancellation off (the fake microphone is no room). */
async function openPage(page: Page, origin: string, line: "wideband" | "phone" | "echo") {
  await page.goto(`${origin}/`);
  await page.locator(`input[name="line"][value="${line}"]`).check();
  await page.getByLabel("Echo cancellation").uncheck();
}

Deno.test("demo page: a microphone the browser refuses says the microphone was not allowed and how to allow it, and offers Talk again", async () => {
  // The fake device without the fake "allow": headless Chromium answers the prompt with no.
  const status = await talkWithoutMicrophone(["--use-fake-device-for-media-stream"]);
  assert.match(status, /^Could not start: the microphone was not allowed \(Permission denied\)/);
  assert.match(status, /allow it for http:\/\/127\.0\.0\.1:\d+ in the browser's site settings/);
});

// getUserMedia's other failures, as MDN's "MediaDevices: getUserMedia() method" lists them:
// NotFoundError (no such device), NotReadableError (the device could not be opened: another
// program has it, or a hardware error). Made here by the page's getUserMedia itself.
for (
  const [name, message, expected] of [
    ["NotFoundError", "Requested device not found", /^Could not start: no microphone was found/],
    ["NotReadableError", "Could not start audio source", /the microphone could not be opened/],
  ] as const
) {
  Deno.test(`demo page: a microphone that fails with ${name} is named in the status`, async () => {
    const status = await talkWithoutMicrophone([...FAKE_MEDIA_ARGS], { name, message });
    assert.match(status, expected);
    assert.ok(status.includes(message), status);
  });
}

/**
 * Clicks Talk on the phone line with a microphone that fails (Chromium's own refusal, or
 * `failure` thrown by getUserMedia); checks that Talk is offered again, nothing went wrong in
 * the page and no session reached the server; returns the status line.
 */
async function talkWithoutMicrophone(
  args: string[],
  failure?: { name: string; message: string },
): Promise<string> {
  const { server, logged, origin } = serveDemo();
  try {
    await using browser = await launchChromium({ args });
    const page = await browser.newPage();
    const errors = pageErrors(page);
    if (failure) {
      await page.addInitScript(({ name, message }) => {
        const { navigator } = globalThis as unknown as {
          navigator: { mediaDevices: { getUserMedia(constraints: unknown): Promise<unknown> } };
        };
        navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException(message, name));
      }, failure);
    }
    await openPage(page, origin, "phone");
    await page.getByRole("button", { name: "Talk" }).click();
    await until(page, () => (globalThis as unknown as PageGlobal).demo.stats.state === "error");
    const now = await shown(page);
    assert.ok(now.talk, "Talk can be tried again");
    assert.deepEqual(errors, []);
    assert.deepEqual(logged, [], "no session reached the server");
    return now.status!;
  } finally {
    await server.shutdown();
  }
}

/**
 * Runs before the page's scripts: records every message between the page and its player
 * worklet, in the order the page sent or received them, with when (`performance.now()`).
 */
function recordPlayer(page: Page) {
  return page.addInitScript(() => {
    type Port = {
      addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
      postMessage(message: unknown, transfer?: unknown[]): void;
    };
    type Node = new (context: unknown, name: string, options: unknown) => { port: Port };
    const page = globalThis as unknown as {
      AudioWorkletNode: Node;
      player: unknown[];
      performance: { now(): number };
    };
    page.player = [];
    const AudioWorkletNode = page.AudioWorkletNode;
    page.AudioWorkletNode = class extends AudioWorkletNode {
      constructor(context: unknown, name: string, options: unknown) {
        super(context, name, options);
        if (name !== "player-processor") return;
        const port = this.port;
        const at = () => page.performance.now();
        port.addEventListener("message", ({ data }) => {
          const d = data as Record<string, { played?: number }>;
          page.player.push(
            d.report
              ? { to: false, at: at(), played: d.report.played }
              : { to: false, at: at(), ...d },
          );
        });
        const post = port.postMessage.bind(port);
        port.postMessage = (message, transfer) => {
          const m = message as { pcm?: ArrayBuffer };
          page.player.push(
            m.pcm
              ? { to: true, at: at(), pcmSamples: m.pcm.byteLength / 2 }
              : { to: true, at: at(), ...m },
          );
          post(message, transfer);
        };
      }
    };
  });
}

Deno.test("demo page's phone line: each mark goes back only once the page's player has played the audio sent before it", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "demo-page-user-" });
  const { server, origin } = serveDemo();
  try {
    await using browser = await browserWithMicrophone(tmp);
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await recordPlayer(page);
    await openPage(page, origin, "phone");
    await page.getByRole("button", { name: "Talk" }).click();
    // The parrot says the phrase back in full: its marks come and go back as it plays.
    await until(
      page,
      () =>
        (globalThis as unknown as PageGlobal).demo.viewEvents().some((e) =>
          e.type === "speakingstop" && e.reason === "played"
        ),
    );
    // The player reports every 50 ms: let the report after the last mark come in.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { messages, marks } = await page.evaluate(() => {
      const { player, demo } = globalThis as unknown as PageGlobal;
      return { messages: player, marks: demo.stats.marks };
    });
    await page.getByRole("button", { name: "Stop" }).click();

    // Positions are samples received before: where each mark sits in what the player got.
    let received = 0;
    const marked = new Map<string, { position: number; at: number }>();
    const acked: { name: string; position: number; waitedMs: number; index: number }[] = [];
    for (const [index, m] of (messages as (PlayerMessage & { at: number })[]).entries()) {
      if (m.to && m.pcmSamples !== undefined) received += m.pcmSamples;
      else if (m.to && m.mark !== undefined) marked.set(m.mark, { position: received, at: m.at });
      else if (!m.to && m.marksPlayed) {
        for (const name of m.marksPlayed) {
          const mark = marked.get(name);
          assert.ok(mark, `${name} went back before it came`);
          acked.push({ name, position: mark.position, waitedMs: m.at - mark.at, index });
        }
      }
    }
    assert.ok(acked.length >= 4, `${acked.length} marks acked as played`);
    assert.equal(marks.played + marks.cleared, marks.received, "every mark went back");
    for (const ack of acked) {
      // The player's next report says how far it had played when it sent the mark back.
      const report = (messages as PlayerMessage[]).slice(ack.index + 1)
        .find((m) => !m.to && m.played !== undefined);
      assert.ok(report && !report.to, `a report after ${ack.name}`);
      assert.ok(
        report.played! >= ack.position,
        `${ack.name} at ${ack.position} went back when the player had played ${report.played}`,
      );
    }
    // Marks sat behind the audio the server sends ahead (60 ms) until it played: the check above
    // is no formality.
    const waited = acked.filter((ack) => ack.waitedMs >= 40);
    assert.ok(waited.length >= 3, JSON.stringify(acked.map((a) => Math.round(a.waitedMs))));
    assert.deepEqual(errors, []);
  } finally {
    await server.shutdown();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("demo page: two tabs talk to the parrot at once, one on each line, and each sees its own session only", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "demo-page-user-" });
  const { server, logged, origin } = serveDemo();
  try {
    await using browser = await browserWithMicrophone(tmp);
    const tabs = [];
    for (const line of ["phone", "wideband"] as const) {
      const page = await browser.newPage();
      const errors = pageErrors(page);
      await openPage(page, origin, line);
      tabs.push({ line, page, errors });
    }
    for (const { page } of tabs) await page.getByRole("button", { name: "Talk" }).click();
    for (const { line, page, errors } of tabs) {
      await until(
        page,
        () =>
          (globalThis as unknown as PageGlobal).demo.viewEvents().some((e) =>
            e.type === "speakingstop" && e.reason === "played"
          ),
      );
      const events = await page.evaluate(() =>
        (globalThis as unknown as PageGlobal).demo.viewEvents()
      );
      assert.equal(events[0]!.type, "hello");
      assert.equal(events[0]!.line, line);
      assert.deepEqual(
        events.filter((e) => e.type === "response").map((e) => e.responseId),
        ["parrot-1"],
        `${line}: its own parrot's first reply, once`,
      );
      assert.equal(events.some((e) => e.type === "start"), line === "phone");
      assert.deepEqual(errors, [], line);
    }
    for (const { page } of tabs) await page.getByRole("button", { name: "Stop" }).click();
    for (const deadline = Date.now() + SETTLE_MS; logged.length < 2 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(
      logged.map((line) =>
        /^session \d+ \((\w+)\) ended \(1000, remote\): 1 phrases, 1 replies/
          .exec(line)?.[1]
      ).sort(),
      ["phone", "wideband"],
      logged.join("\n"),
    );
  } finally {
    await server.shutdown();
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("demo page's phone line: the server stopped mid-reply: the page says the server closed the line and the parrot's lamp goes out; started again, Talk reaches it", async () => {
  const tmp = await Deno.makeTempDir({ prefix: "demo-page-user-" });
  let demo = serveDemo();
  const port = demo.server.addr.port;
  try {
    await using browser = await browserWithMicrophone(tmp);
    const page = await browser.newPage();
    const errors = pageErrors(page);
    await openPage(page, demo.origin, "phone");
    await page.getByRole("button", { name: "Talk" }).click();
    await until(page, () => {
      const { document } = globalThis as unknown as PageGlobal;
      return document.getElementById("bot-lamp").dataset.on === "true";
    });
    // Deno's shutdown closes the open sockets with 1001 ("going away"), as a stopped server does.
    await demo.server.shutdown();
    await until(page, () => (globalThis as unknown as PageGlobal).demo.stats.state === "error");
    const stopped = await shown(page);
    assert.match(stopped.status!, /^The server closed the connection \(1001\b/, stopped.status!);
    assert.equal(stopped.botLamp, "false");
    assert.ok(stopped.talk, "Talk can be tried again");

    // The server is back on the same address: Talk starts a new call that the parrot answers.
    demo = serveDemo(port);
    await page.getByRole("button", { name: "Talk" }).click();
    await until(page, () => {
      const { demo } = globalThis as unknown as PageGlobal;
      return demo.stats.state === "live" &&
        demo.viewEvents().some((e) => e.type === "speakingstart");
    });
    const texts = await page.evaluate(() =>
      (globalThis as unknown as PageGlobal).demo.log().map((entry) => entry.text)
    );
    assert.equal(
      texts.filter((text) => text.startsWith("Connected to the phone line")).length,
      1,
      "the log is the new call's: " + texts.join("\n"),
    );
    await page.getByRole("button", { name: "Stop" }).click();
    // While the server was down the browser logs its own refused connections (a resource or the
    // socket the page asked for then), and one the stopping server cut mid-way a reset (a clean
    // clone's CI met it once): the network's word, not the page's error.
    const refused = /^Failed to load resource: net::ERR_CONNECTION_(?:REFUSED|RESET)$/;
    assert.deepEqual(errors.filter((error) => !refused.test(error)), []);
  } finally {
    await demo.server.shutdown();
    await Deno.remove(tmp, { recursive: true });
  }
});
