/**
 * What a client of a README server should see, checked with a real WebSocket client: the admission
 * the block documents (a foreign origin 403, a missing token 401), then sessions that send audio and
 * a message and wait for the echo or the bot's answer, in the block's wire protocol; a block that
 * tells the provider from the first messages is then called as every platform it tells apart.
 *
 * @module
 */

import assert from "node:assert/strict";
import { mulawEncode } from "@x/ws-transport/audio";
import { simulateCall, syntheticCaller } from "@x/ws-transport/simulator";
import { WsClient } from "../_ws_client.ts";
import { rawStatus, UPGRADE_HEADERS } from "./_http.ts";
import type { Platform, ServerPlan } from "./_readme_plan.ts";

/** What the checks need of a plan. */
export type SessionPlan = Pick<
  ServerPlan,
  "path" | "wire" | "platforms" | "session" | "allowedOrigin" | "authorizes" | "secrets"
>;

/**
 * 600 ms of 16 kHz PCM16 whose samples count up: every byte says where it was, and the length is
 * whole chunks at every chunk size the blocks use (20 and 40 ms, at 16 and 24 kHz), so nothing
 * waits in a chunker for more.
 */
function numberedPcm(): Uint8Array {
  return new Uint8Array(new Int16Array(9600).map((_, i) => i).buffer);
}

/** `path` with `{n}` filled in (a Durable Object per connection) and the secret parameters. */
function pathFor(plan: SessionPlan, n: number, secret: string | undefined): string {
  const path = plan.path.replace("{n}", String(n));
  const query = secret === undefined
    ? ""
    : plan.secrets.params.map((p) => `${p}=${secret}`).join("&");
  return query ? `${path}?${query}` : path;
}

/** A raw-PCM session: audio and a message go out; the echo (or the bot's answer) comes back. */
async function rawSession(url: string, plan: SessionPlan, n: number): Promise<void> {
  const client = await WsClient.open(url);
  try {
    const audio = numberedPcm();
    client.send(audio);
    client.send(JSON.stringify({ probe: n }));
    if (plan.session === "echo") {
      await client.waitFor(
        () => client.binaryBytes.length >= audio.length && client.texts.length >= 1,
        8000,
        "the echo of 600 ms of audio and a message",
      );
      assert.deepEqual(client.binaryBytes, audio, "the audio comes back byte for byte, in order");
      assert.deepEqual(client.texts.map((t) => JSON.parse(t)), [{ probe: n }]);
    } else {
      const answer = await client.nextJson((m) => JSON.stringify(m).includes(`"probe":${n}`), {
        from: 0,
        timeoutMs: 5000,
      });
      assert.ok(answer, "the bot answers the message");
    }
  } finally {
    await client.close(1000);
  }
}

/** One 20 ms μ-law packet of a 1 kHz tone at 8 kHz, half scale, base64, as Twilio sends media. */
function tonePayload(): string {
  const samples = new Int16Array(160).map((_, i) => 16000 * Math.sin((2 * Math.PI * i) / 8));
  return mulawEncode(samples).toBase64();
}

/**
 * A Twilio call as Twilio's Media Streams documentation has it ("WebSocket Messages": connected,
 * start, media, stop): 500 ms of a tone in 25 media messages; the echo must come back as media
 * messages on the same stream, loud (μ-law codes far from the silent 0xFF/0x7F).
 */
async function twilioCall(url: string, n: number): Promise<void> {
  const client = await WsClient.open(url);
  const streamSid = `MZ${String(n).padStart(32, "0")}`;
  try {
    client.send(JSON.stringify({ event: "connected", protocol: "Call", version: "1.0.0" }));
    client.send(JSON.stringify({
      event: "start",
      sequenceNumber: "1",
      streamSid,
      start: {
        streamSid,
        callSid: `CA${String(n).padStart(32, "0")}`,
        accountSid: `AC${"0".repeat(32)}`,
        tracks: ["inbound"],
        customParameters: {},
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      },
    }));
    const payload = tonePayload();
    for (let i = 0; i < 25; i++) {
      client.send(JSON.stringify({
        event: "media",
        sequenceNumber: String(i + 2),
        streamSid,
        media: { track: "inbound", chunk: String(i + 1), timestamp: String(i * 20), payload },
      }));
    }
    const echoed = () =>
      client.texts.map((t) => JSON.parse(t)).filter((m) => m.event === "media") as {
        streamSid: string;
        media: { payload: string };
      }[];
    // Resampling 8 → 16 → 8 kHz keeps a few ms in the filters: most of the 4000 bytes is enough.
    const bytes = () =>
      echoed().reduce((sum, m) => sum + Uint8Array.fromBase64(m.media.payload).length, 0);
    await client.waitFor(() => bytes() >= 3200, 8000, "the echo of 500 ms of a tone");
    for (const message of echoed()) assert.equal(message.streamSid, streamSid);
    // Twilio takes media, mark and clear from a bot ("WebSocket messages to Twilio"): its own
    // messages echoed back (`connected`, `start` as `message` frames) are not among them.
    const events = client.texts.map((t) => JSON.parse(t).event);
    const foreign = events.filter((event) => !["media", "mark", "clear"].includes(event));
    assert.deepEqual(foreign, [], "every message sent to Twilio is one it takes");
    const loud = echoed().flatMap((m) => [...Uint8Array.fromBase64(m.media.payload)])
      .filter((code) => (code & 0x7f) < 0x40).length;
    assert.ok(loud > 1000, `the echo is the tone (${loud} loud samples)`);
    client.send(JSON.stringify({ event: "stop", sequenceNumber: "27", streamSid, stop: {} }));
  } finally {
    await client.close(1000);
  }
}

/**
 * Checks a server on 127.0.0.1:`port` as its block documents it: admission first (a foreign
 * origin 403 and a listed one let in; no token 401), then a session, and after it two at once
 * (the server keeps serving after a session ends, and keeps calls apart). `secret` is the value its secret environment
 * variables were given.
 */
export async function checkServer(plan: SessionPlan, port: number, secret: string): Promise<void> {
  const host = `127.0.0.1:${port}`;
  const handshake = (path: string, headers: Record<string, string>) =>
    rawStatus(port, { path, headers: { host, ...UPGRADE_HEADERS, ...headers } });
  if (plan.allowedOrigin !== undefined) {
    const path = pathFor(plan, 100, secret);
    assert.equal(await handshake(path, { origin: "https://evil.example" }), 403, "foreign origin");
    // Hono on Workers opens a session at its first message: the handshake is what is checked.
    assert.equal(await handshake(path, { origin: plan.allowedOrigin }), 101, "listed origin");
  }
  if (plan.authorizes && plan.secrets.params.length > 0) {
    assert.equal(await handshake(pathFor(plan, 101, undefined), {}), 401, "no token");
  }
  const session = (n: number) => {
    const url = `ws://${host}${pathFor(plan, n, secret)}`;
    if (plan.session === "conversation" || (plan.wire !== "raw" && plan.wire !== "twilio")) {
      return simulatedCall(url, plan);
    }
    return plan.wire === "twilio" ? twilioCall(url, n) : rawSession(url, plan, n);
  };
  await session(1);
  // Then two at once, each on its own: nothing of one call (a stream id, audio) in the other.
  await Promise.all([session(2), session(3)]);
  if (plan.platforms.length > 0) {
    await callAsEveryPlatform((n) => `ws://${host}${pathFor(plan, n, secret)}`, plan.platforms);
  }
}

/** Calls at once at most: the server is one process, and CI machines are small. */
const CALLS_AT_ONCE = 4;

/**
 * Calls the server once as each of `platforms` (a few at a time; `url(n)` for the n-th call) and
 * fails, naming every platform whose call went wrong, when any did. Every call is waited for, each
 * bounded by its `maxDurationMs`, so none outlives the check.
 */
async function callAsEveryPlatform(
  url: (n: number) => string,
  platforms: Platform[],
): Promise<void> {
  const failures: string[] = [];
  const queue = [...platforms.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [index, platform] = next;
      try {
        await platformCall(url(200 + index), platform);
      } catch (error) {
        failures.push(`${platform.name}: ${(error as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CALLS_AT_ONCE, platforms.length) }, worker));
  assert.deepEqual(failures, [], `calls as each platform:\n${failures.join("\n")}`);
}

/** The caller's tone, and the echo of it expected back. */
const UTTERANCE_MS = 400;

/**
 * One call as `platform`, its audio sent as fast as the socket takes it (the CLI's `--speed max`):
 * the caller says 400 ms and then listens; the echo must come back, all of it, audible, and the
 * call must end as the caller hangs up, with no rule of the platform's broken. The far end plays
 * the echo at its real rate, so the call lasts about the echo and `lingerMs` of quiet after it.
 */
async function platformCall(url: string, platform: Platform): Promise<void> {
  const report = await simulateCall(url, {
    protocol: platform.protocol,
    ...(platform.options ? { platform: platform.options } : {}),
    audio: syntheticCaller({ utterancesMs: [UTTERANCE_MS], pauseMs: 100 }),
    speed: Infinity,
    // Time for the first of the echo to arrive (Genesys's first 200 ms packet is about 400 ms
    // in), with room for a slow CI machine; the caller hangs up after that much quiet.
    lingerMs: 1500,
    maxDurationMs: 10_000,
  });
  assert.notEqual(report.connectMs, null, `the call connects: ${report.ended.detail}`);
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(report.ended.by, "caller", `the caller hangs up: ${report.ended.detail}`);
  if (platform.audio) {
    assert.notEqual(
      report.firstAudibleMs,
      null,
      `the caller hears the echo (${report.audio.receivedMs} ms of audio received)`,
    );
    assert.ok(
      report.audio.receivedMs >= UTTERANCE_MS && report.audio.playedMs >= UTTERANCE_MS,
      `the echo of the ${UTTERANCE_MS} ms said comes back and plays: ` +
        `${report.audio.receivedMs} ms received, ${report.audio.playedMs} ms played`,
    );
  } else {
    assert.equal(report.audio.receivedMs, 0, "no audio on a text-only platform");
  }
}

/**
 * A call from the caller simulator speaking the block's platform: the caller says something and
 * pauses; the bot must be heard (or, on a text-only platform, must answer in text) and break no
 * rule of the platform's.
 */
async function simulatedCall(url: string, plan: SessionPlan): Promise<void> {
  const report = await simulateCall(url, {
    protocol: plan.wire,
    audio: syntheticCaller({ utterancesMs: [900], pauseMs: 1200 }),
    lingerMs: 2500,
    maxDurationMs: 15_000,
  });
  assert.notEqual(report.connectMs, null, `the ${plan.wire} call connects: ${report.ended.detail}`);
  assert.deepEqual(report.violations, [], `${plan.wire}: ${JSON.stringify(report.violations)}`);
  assert.notEqual(report.ended.by, "error", report.ended.detail);
  if (plan.wire !== "conversationrelay") {
    assert.notEqual(report.firstAudibleMs, null, `the caller hears the bot (${plan.wire})`);
  }
}
