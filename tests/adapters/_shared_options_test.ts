// Options one route hands to every session (Hono's voiceSession, Node's upgradeHandler): a single
// serializer instance there would serve every call, and a single BackgroundAudio would play in the
// first call only, so each is refused where the route is made; a function that makes one per
// session is the way.
import assert from "node:assert/strict";
import { upgradeWebSocket } from "hono/deno";
import { WebSocketServer } from "ws";
import { voiceSession } from "../../src/adapters/hono.ts";
import { upgradeHandler } from "../../src/adapters/node.ts";
import { checkSharedOptions } from "../../src/adapters/_shared_options.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { BackgroundAudio, WebSocketTransport } from "../../mod.ts";
import { FakeClock, MemorySocketPair } from "../../src/testing/mod.ts";

const refused = (e: unknown) =>
  e instanceof TypeError && /a function that makes each session its serializer/.test(e.message);

Deno.test("`voiceSession` and `upgradeHandler` refuse one serializer instance for every session", () => {
  const serializer = new TwilioSerializer();
  assert.throws(() => voiceSession(upgradeWebSocket, () => {}, { serializer }), refused);
  const wss = new WebSocketServer({ noServer: true });
  assert.throws(() => upgradeHandler(wss as never, () => {}, { serializer }), refused);
  wss.close();
});

Deno.test("`checkSharedOptions` takes a serializer function and still checks the other options", () => {
  assert.equal(checkSharedOptions({ serializer: () => new TwilioSerializer() }).chunkMs, 40);
  assert.throws(() => checkSharedOptions({ audioOut: { chunkMs: 0 } }), RangeError);
});

Deno.test("`voiceSession` and `upgradeHandler` refuse one `BackgroundAudio` for every session; a mixer of one's own is taken", () => {
  const background = new BackgroundAudio(new Int16Array(1600), { sampleRate: 16000 });
  const refusedBackground = (e: unknown) =>
    e instanceof TypeError && /a function that makes each session its background/.test(e.message);
  assert.throws(() => voiceSession(upgradeWebSocket, () => {}, { background }), refusedBackground);
  const wss = new WebSocketServer({ noServer: true });
  assert.throws(() => upgradeHandler(wss as never, () => {}, { background }), refusedBackground);
  wss.close();
  const own = { attach() {}, mix: (frame: never) => frame, fill: () => undefined, detach() {} };
  assert.equal(checkSharedOptions({ background: own }).chunkMs, 40);
});

Deno.test("options shared by every session with a `background` function: each call plays its own, from the start", async () => {
  const BACKGROUND = 4000;
  const clock = new FakeClock();
  const track = new Int16Array(16000).fill(BACKGROUND);
  const made: BackgroundAudio[] = [];
  const background = () => {
    const audio = new BackgroundAudio(track, { sampleRate: 16000, volume: 1, fadeMs: 0 });
    made.push(audio);
    return audio;
  };
  // What voiceSession and upgradeHandler do: one options object, a transport for each call.
  const shared = { audioOut: { sampleRate: 16000, chunkMs: 20 }, background, clock };
  checkSharedOptions(shared);
  const call = () => {
    const pair = new MemorySocketPair();
    const transport = new WebSocketTransport(pair.server, shared);
    const told: string[] = [];
    transport.addEventListener("error", (e) => told.push(`${e.error.code} fatal=${e.error.fatal}`));
    const heard = { chunks: 0 };
    pair.client.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data === "string") return;
      const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data as Uint8Array;
      if (new Int16Array(bytes.buffer, bytes.byteOffset, 1)[0] === BACKGROUND) heard.chunks++;
    });
    return async () => {
      pair.client.close(1000);
      await transport.closed;
      return { chunks: heard.chunks, told };
    };
  };
  const first = call();
  await clock.tick(500);
  const during = call();
  await clock.tick(500);
  const firstHeard = await first();
  const after = call();
  await clock.tick(500);
  for (
    const [name, ended] of [["first", firstHeard], ["during", await during()], [
      "after",
      await after(),
    ]] as const
  ) {
    assert.ok(ended.chunks >= 24, `the ${name} call hears its background (${ended.chunks})`);
    assert.deepEqual(ended.told, [], name);
  }
  assert.equal(made.length, 3, "one made for each call");
  assert.equal(clock.pendingTimers, 0);
});

Deno.test("`background` as a function: what it returns is checked as the option is; undefined is none", () => {
  const pair = new MemorySocketPair();
  assert.throws(
    () => new WebSocketTransport(pair.server, { background: () => ({}) as never }),
    (e: unknown) =>
      e instanceof TypeError && /what the background function returned/.test(e.message),
  );
  const transport = new WebSocketTransport(new MemorySocketPair().server, {
    background: () => undefined,
  });
  transport.close();
});
