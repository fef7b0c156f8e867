// The realtime bridge example end to end, over real sockets on 127.0.0.1: the simulator calls it
// as Twilio would (a phone caller who speaks, then talks over the answer), and the bridge talks
// to a fake OpenAI Realtime service written from OpenAI's documentation
// (realtime_bridge/fake_openai_realtime.ts). Caller, bridge and fake share one FakeClock in
// lockstep (tests/_lockstep.ts), so what the caller heard, what the bridge told the
// model and what the model generated are compared exactly.
import assert from "node:assert/strict";
import { type CallStart, realtimeBridge } from "../../examples/realtime-bridge/bridge.ts";
import {
  type OpenAIAudioFormat,
  OpenAIRealtime,
} from "../../examples/realtime-bridge/openai_realtime.ts";
import { simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import type { CallReport } from "../../src/simulator/report.ts";
import { hmacBase64 } from "../../src/serializers/telephony/hmac_base64.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { Lockstep } from "../_lockstep.ts";
import { refusedStart, serveMain, upgradeStatus } from "./_example_main.ts";
import {
  type FakeRealtimeOptions,
  FakeRealtimeServer,
} from "./realtime_bridge/fake_openai_realtime.ts";

const API_KEY = "sk-test-key";
/** The transport's default mark interval: how precisely an acknowledging far end says what played. */
const MARK_INTERVAL_MS = 250;
/** PCM16 at 8 kHz (μ-law decoded): bytes per ms. */
const BYTES_PER_MS = 16;

interface Setup {
  fake?: Partial<FakeRealtimeOptions>;
  call?: Partial<Parameters<typeof simulateCall>[1]>;
  path?: string;
  localBargeIn?: boolean;
  apiKey?: string;
  audioFormat?: OpenAIAudioFormat;
}

async function bridgedCall(setup: Setup = {}) {
  const clock = new FakeClock();
  const lockstep = new Lockstep(clock);
  const fake = new FakeRealtimeServer({
    clock,
    apiKey: API_KEY,
    accept: lockstep.accept,
    ...setup.fake,
  });
  const calls: CallStart[] = [];
  const logs: string[] = [];
  const bridge = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    realtimeBridge({
      model: () =>
        new OpenAIRealtime({
          apiKey: setup.apiKey ?? API_KEY,
          url: fake.url,
          clock,
          connect: lockstep.connect,
          ...(setup.audioFormat ? { audioFormat: setup.audioFormat } : {}),
        }),
      accept: lockstep.accept,
      // As main.ts: the simulator plays Genesys's Audio Connector, which takes the bot's audio.
      providers: { genesys: { sendAudio: "always" } },
      transport: { clock },
      ...(setup.localBargeIn ? { localBargeIn: true } : {}),
      onCall: (call) => calls.push(call),
      log: (...data) => logs.push(data.map(String).join(" ")),
    }),
  );
  try {
    const report = await lockstep.run(
      simulateCall(`ws://127.0.0.1:${bridge.addr.port}${setup.path ?? "/media"}`, {
        protocol: "twilio",
        clock,
        connect: lockstep.connectCaller,
        audio: syntheticCaller({ utterancesMs: [800], pauseMs: 1000 }),
        lingerMs: 1500,
        record: true,
        ...setup.call,
      }),
    );
    assert.equal(calls.length, 1, "one call reached the bridge");
    const call = calls[0]!;
    // The caller has hung up; the bridge closes its model session in turn.
    const summary = await lockstep.run(call.done);
    await lockstep.run(fake.close());
    return { report, summary, call, fake, session: fake.sessions[0], logs, lockstep };
  } finally {
    await bridge.shutdown();
  }
}

/** How much of the answer the caller heard before the barge-in silenced it, by the simulator. */
function heardBeforeBargeIn(report: CallReport): number {
  const answerStart = report.utterances[0]!.responseStartMs!;
  return report.bargeIns[0]!.stoppedAtMs! - answerStart;
}

Deno.test("the realtime bridge carries a Twilio caller's question to the model and its answer back", async () => {
  const { report, summary, session, call } = await bridgedCall({ fake: { answersMs: [1500] } });
  assert.equal(call.provider, "twilio"); // told from the first messages on /media
  assert.deepEqual(report.violations, []);
  assert.deepEqual(session!.violations, []);
  assert.deepEqual(summary.modelErrors, []);
  // The session was configured as documented: μ-law both ways, server VAD that interrupts.
  const audio = session!.session.audio as Record<string, Record<string, unknown>>;
  assert.deepEqual(audio.input!.format, { type: "audio/pcmu" });
  assert.deepEqual(audio.output!.format, { type: "audio/pcmu" });
  assert.equal(
    (audio.input!.turn_detection as { interrupt_response: boolean }).interrupt_response,
    true,
  );
  // The caller's 800 ms utterance reached the model in full, and the answer came back: all of
  // its 1.5 s played to the caller, starting once the model's VAD had heard the caller stop.
  assert.equal(session!.speechStarts.length, 1);
  assert.equal(report.utterances.length, 1);
  const answer = report.utterances[0]!;
  assert.ok(answer.responseStartMs !== null, "the caller heard an answer");
  assert.equal(report.audio.playedMs, 1500);
  assert.equal(report.audio.underruns, 0);
  assert.equal(session!.items.length, 1);
  assert.equal(session!.items[0]!.status, "completed");
  // Nothing was interrupted, so nothing was truncated.
  assert.deepEqual(summary.bargeIns, []);
  assert.deepEqual(session!.truncates, []);
  // The call ended cleanly: the caller hung up, the bridge closed the model session normally.
  assert.equal(report.ended.by, "caller");
  assert.equal(summary.endedBy, "caller");
  assert.deepEqual(session!.closed, { code: 1000, reason: "call ended" });
});

/** The peak of the recording's right channel (what the caller heard) between two call times. */
function heardPeak(report: CallReport, fromMs: number, toMs: number): number {
  const wav = report.recording!;
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  const rate = view.getUint32(24, true);
  const frames = (wav.length - 44) / 4;
  let peak = 0;
  const end = Math.min(frames, Math.round((toMs * rate) / 1000));
  for (let i = Math.round((fromMs * rate) / 1000); i < end; i++) {
    peak = Math.max(peak, Math.abs(view.getInt16(44 + i * 4 + 2, true)));
  }
  return peak;
}

/** A 4 s answer generated at twice real time, so that it is still streaming when the caller cuts in. */
const LONG_ANSWER: Partial<FakeRealtimeOptions> = {
  answersMs: [4000, 1000],
  deltaMs: 100,
  deltaEveryMs: 50,
  // The service still delivers 3 deltas (300 ms) of the answer after it cancelled it.
  lateDeltas: 3,
};

/** "a twilio", "an exotel". */
function article(protocol: string): string {
  return `${/^[aeiou]/.test(protocol) ? "an" : "a"} ${protocol}`;
}

/** How long each platform's caller frames are: a barge-in is heard one frame after it begins. */
const CALLER_FRAME_MS = {
  twilio: 20,
  telnyx: 20,
  plivo: 20,
  exotel: 100,
  vonage: 20,
  genesys: 200,
};

for (const protocol of ["twilio", "telnyx", "plivo", "exotel", "vonage", "genesys"] as const) {
  // Genesys acknowledges no point in the playout (only where a stretch ended): what the caller
  // heard of a reply cut short is the transport's estimate there.
  const acknowledged = protocol !== "genesys";
  Deno.test(`the realtime bridge stops the model when ${article(protocol)} caller barges in and truncates it to what the caller heard`, async () => {
    const { report, summary, session } = await bridgedCall({
      fake: LONG_ANSWER,
      call: { protocol, bargeIn: { afterMs: 1200, durationMs: 800, count: 1 } },
    });
    assert.deepEqual(report.violations, []);
    assert.deepEqual(session!.violations, []);
    assert.deepEqual(summary.modelErrors, []);
    const [first, second] = session!.items;
    assert.equal(first!.status, "incomplete"); // cancelled by the model's VAD (interrupt_response)
    assert.equal(second!.status, "completed");

    // The caller cut in 1.2 s into the answer; the model's VAD said so; the bridge interrupted.
    assert.equal(report.bargeIns.length, 1);
    const [barge] = report.bargeIns;
    assert.equal(summary.bargeIns.length, 1);
    const [record] = summary.bargeIns;
    assert.equal(record!.source, "model");
    assert.equal(record!.interrupted.responseId, first!.id); // the transport's response: the item
    assert.equal(record!.interrupted.acknowledged, acknowledged);
    assert.ok(
      barge!.stopLatencyMs! <= CALLER_FRAME_MS[protocol] + 20,
      `stopped ${barge!.stopLatencyMs} ms after the barge-in`,
    );

    // What the caller heard of the answer, by the simulator (the platform's far end playing in
    // real time), and what the model was told to keep: the same, to the millisecond, on every
    // platform (Genesys's estimate too), on this lockstep clock.
    const heard = heardBeforeBargeIn(report);
    assert.ok(heard >= 1200, `heard ${heard} ms`);
    assert.deepEqual(
      session!.truncates.map((t) => t.itemId),
      [first!.id],
      "one truncation, of the interrupted item",
    );
    const { audioEndMs } = session!.truncates[0]!;
    assert.equal(audioEndMs, heard, `truncated to ${audioEndMs} ms; the caller heard ${heard} ms`);
    assert.deepEqual(summary.confirmed, [{ itemId: first!.id, audioEndMs }]);

    // No stale audio: the 300 ms the service sent after cancelling never left the bridge (the
    // transport's gate dropped every byte of it), and the caller heard the first answer up to
    // the barge-in, then silence while speaking, then the second answer in full — nothing more.
    assert.equal(first!.lateMs, 300);
    assert.equal(summary.staleAudioBytes, first!.lateMs * BYTES_PER_MS);
    assert.equal(barge!.staleAudioMs, 0);
    const secondStart = report.utterances[1]!.responseStartMs!;
    assert.ok(secondStart > barge!.endMs, "the second answer came after the barge-in ended");
    assert.equal(heardPeak(report, barge!.stoppedAtMs! + 1, secondStart), 0);
    assert.equal(report.audio.playedMs, heard + 1000);

    // The call ended cleanly.
    assert.equal(report.ended.by, "caller");
    assert.equal(summary.endedBy, "caller");
    assert.deepEqual(session!.closed, { code: 1000, reason: "call ended" });
  });
}

Deno.test("the realtime bridge speaks 24 kHz PCM with the model for a wideband (Vonage) line", async () => {
  const { report, summary, session } = await bridgedCall({
    path: "/vonage",
    audioFormat: "audio/pcm",
    fake: LONG_ANSWER,
    call: { protocol: "vonage", bargeIn: { afterMs: 1200, durationMs: 800, count: 1 } },
  });
  assert.deepEqual(report.violations, []);
  assert.deepEqual(session!.violations, []);
  const audio = session!.session.audio as Record<string, Record<string, unknown>>;
  assert.deepEqual(audio.input!.format, { type: "audio/pcm", rate: 24000 });
  assert.deepEqual(audio.output!.format, { type: "audio/pcm", rate: 24000 });
  // The caller's speech reached the model's VAD through 16 → 24 kHz, the answer came back.
  assert.equal(session!.speechStarts.length, 2);
  const heard = heardBeforeBargeIn(report);
  const { audioEndMs } = session!.truncates[0]!;
  assert.ok(
    audioEndMs <= heard && heard - audioEndMs <= MARK_INTERVAL_MS,
    `truncated to ${audioEndMs} ms; the caller heard ${heard} ms`,
  );
  // PCM16 at 24 kHz: 48 bytes per ms, all of the late audio dropped.
  assert.equal(summary.staleAudioBytes, session!.items[0]!.lateMs * 48);
  assert.equal(report.bargeIns[0]!.staleAudioMs, 0);
  assert.equal(report.ended.by, "caller");
});

Deno.test("the realtime bridge's own barge-in detection cancels the model's answer before its VAD speaks", async () => {
  const { report, summary, session } = await bridgedCall({
    // The model's VAD takes 300 ms of speech to report it; the bridge's detector 200 ms.
    fake: { ...LONG_ANSWER, vadStartMs: 300 },
    call: { bargeIn: { afterMs: 1000, durationMs: 800, count: 1 } },
    localBargeIn: true,
  });
  assert.deepEqual(session!.violations, []); // no cancel without a response under way
  assert.deepEqual(summary.modelErrors, []);
  const [first] = session!.items;
  // One barge-in, noticed by the bridge: it cancelled the answer itself (`response.cancel` of
  // the response under way), and the model's later speech_started interrupted nothing more.
  assert.deepEqual(summary.bargeIns.map((b) => b.source), ["caller-audio"]);
  assert.equal(session!.cancels.length, 1);
  assert.equal(session!.speechStarts.length, 2);
  assert.ok(session!.cancels[0]!.atMs < session!.speechStarts[1]!.atMs);
  const heard = heardBeforeBargeIn(report);
  const { audioEndMs } = session!.truncates[0]!;
  assert.equal(session!.truncates.length, 1);
  assert.ok(
    audioEndMs <= heard && heard - audioEndMs <= MARK_INTERVAL_MS,
    `truncated to ${audioEndMs} ms; the caller heard ${heard} ms`,
  );
  assert.equal(summary.staleAudioBytes, first!.lateMs * BYTES_PER_MS);
  assert.equal(report.bargeIns[0]!.staleAudioMs, 0);
  assert.equal(report.ended.by, "caller");
});

Deno.test("the realtime bridge hangs up a call whose model refuses its key", async () => {
  const { report, summary, session, fake } = await bridgedCall({ apiKey: "sk-wrong" });
  assert.equal(session, undefined);
  assert.deepEqual(fake.refused, ["missing or wrong Authorization: Bearer key"]);
  assert.equal(summary.endedBy, "model");
  assert.equal(report.ended.by, "bot");
  assert.ok(report.ended.atMs < 1000, `hung up at ${report.ended.atMs} ms`);
});

Deno.test("the realtime bridge hangs up when the model's connection drops mid-call", async () => {
  const { report, summary, session } = await bridgedCall({ fake: { closeAtMs: 2000 } });
  assert.deepEqual(session!.closed, { code: 1011, reason: "server error" });
  assert.equal(summary.endedBy, "model");
  assert.equal(report.ended.by, "bot");
  assert.ok(report.ended.atMs < 2100, `hung up at ${report.ended.atMs} ms`);
});

for (const protocol of ["twilio", "telnyx", "plivo", "exotel", "vonage", "genesys"] as const) {
  for (const path of ["/media", `/${protocol}`]) {
    const how = path === "/media" ? "detected from its first messages" : `on ${path}`;
    Deno.test(`the realtime bridge answers ${article(protocol)} caller, ${how}`, async () => {
      const { report, summary, session, call } = await bridgedCall({
        path,
        fake: { answersMs: [1500] },
        call: { protocol },
      });
      assert.equal(call.provider, protocol);
      assert.deepEqual(report.violations, []);
      assert.deepEqual(session!.violations, []);
      assert.deepEqual(summary.modelErrors, []);
      assert.equal(session!.speechStarts.length, 1); // the caller's utterance reached the model
      assert.ok(report.utterances[0]!.responseStartMs !== null, "the caller heard the answer");
      // All of it played; Exotel's and Genesys's answers padded with silence to a whole 200 ms
      // chunk (Exotel refuses shorter chunks, Genesys takes 200 ms packets).
      const padded = protocol === "exotel" || protocol === "genesys" ? 1600 : 1500;
      assert.equal(report.audio.playedMs, padded);
      assert.equal(report.ended.by, "caller");
      assert.equal(summary.endedBy, "caller");
      assert.equal(session!.closed?.code, 1000);
    });
  }
}

Deno.test("the realtime bridge refuses what is not a call: other paths, plain requests, unknown protocols", async () => {
  let models = 0;
  const logs: string[] = [];
  const clock = new FakeClock();
  const handler = realtimeBridge({
    model: () => {
      models++;
      return new OpenAIRealtime({ apiKey: API_KEY, url: "ws://127.0.0.1:9/", clock });
    },
    transport: { clock },
    log: (...data) => logs.push(data.map(String).join(" ")),
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  try {
    const base = `127.0.0.1:${server.addr.port}`;
    assert.equal((await handler(new Request(`http://${base}/elsewhere`))).status, 404);
    const plain = await handler(new Request(`http://${base}/twilio`));
    assert.equal(plain.status, 426);
    assert.equal(plain.headers.get("upgrade"), "websocket");
    // A WebSocket on the detecting path whose messages are no provider's: closed with 1008.
    const ws = new WebSocket(`ws://${base}/media`);
    await new Promise((resolve) => (ws.onopen = resolve));
    const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    for (let i = 0; i < 20; i++) ws.send(JSON.stringify({ event: "hello", n: i }));
    const { code } = await closed;
    assert.equal(code, 1008);
    assert.equal(models, 0);
    assert.ok(
      logs.some((line) => line.includes("no provider recognized in the first 20")),
      logs.join("\n"),
    );
    // One big message while the provider is told: refused at once with 1009, not held.
    const big = new WebSocket(`ws://${base}/media`);
    await new Promise((resolve) => (big.onopen = resolve));
    const refused = new Promise<CloseEvent>((resolve) => (big.onclose = resolve));
    big.send(new Uint8Array(65 * 1024));
    assert.equal((await refused).code, 1009);
    assert.ok(
      logs.some((line) => line.includes("a first message of 66560 bytes")),
      logs.join("\n"),
    );
    assert.equal(models, 0);
  } finally {
    await server.shutdown();
  }
});

Deno.test("the realtime bridge refuses a ConversationRelay call on the detecting path (1008), as on a named path, with no model session", async () => {
  let models = 0;
  const logs: string[] = [];
  const clock = new FakeClock();
  const modelMade = Promise.withResolvers<"a model session">();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    realtimeBridge({
      model: () => {
        models++;
        modelMade.resolve("a model session");
        return new OpenAIRealtime({ apiKey: API_KEY, url: "ws://127.0.0.1:9/", clock });
      },
      transport: { clock },
      log: (...data) => logs.push(data.map(String).join(" ")),
    }),
  );
  const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/media`);
  try {
    await new Promise((resolve) => (ws.onopen = resolve));
    const closed = new Promise<CloseEvent>((resolve) => (ws.onclose = resolve));
    // ConversationRelay's opening message (Twilio's, as detectProvider knows it): text, no audio.
    ws.send(JSON.stringify({
      type: "setup",
      sessionId: "VX00000000000000000000000000000000",
      callSid: "CA00000000000000000000000000000000",
    }));
    const outcome = await Promise.race([closed, modelMade.promise]);
    assert.notEqual(outcome, "a model session", "a model session was opened for it");
    const { code, reason } = outcome as CloseEvent;
    assert.equal(code, 1008);
    assert.equal(reason, "conversationrelay is not served here");
    assert.equal(models, 0);
    assert.ok(
      logs.some((line) => line.includes("ConversationRelay carries no audio")),
      logs.join("\n"),
    );
  } finally {
    ws.close();
    await server.shutdown();
  }
});

const BRIDGE_MAIN = "examples/realtime-bridge/main.ts";
/** What main.ts needs to start; its model connects to a port nothing listens on (no network). */
const BRIDGE_ENV = { OPENAI_API_KEY: API_KEY, OPENAI_REALTIME_URL: "ws://127.0.0.1:9/v1/realtime" };
const OTHER_PATHS = ["/telnyx", "/plivo", "/exotel", "/vonage", "/genesys", "/media", "/"];

async function twilioSignature(token: string, url: string): Promise<string> {
  return await hmacBase64(url, { key: token, hash: "SHA-1" });
}

Deno.test("realtime-bridge main.ts with TWILIO_AUTH_TOKEN set refuses (401) every path but a signed /twilio, and says why", async () => {
  await using served = await serveMain(BRIDGE_MAIN, {
    ...BRIDGE_ENV,
    TWILIO_AUTH_TOKEN: "secret",
    PUBLIC_HOST: "bridge.example",
  });
  assert.equal(await upgradeStatus(served.port, "/twilio"), 401);
  await served.printed(/refused \/twilio: no x-twilio-signature/);
  const wrong = {
    "X-Twilio-Signature": await twilioSignature("other", "wss://bridge.example/twilio"),
  };
  assert.equal(await upgradeStatus(served.port, "/twilio", wrong), 401);
  await served.printed(
    /refused \/twilio: x-twilio-signature does not match wss:\/\/bridge\.example\/twilio/,
  );
  const signed = {
    "X-Twilio-Signature": await twilioSignature("secret", "wss://bridge.example/twilio"),
  };
  assert.equal(await upgradeStatus(served.port, "/twilio", signed), 101);
  // No check is configured for these providers: refused, not opened to anyone.
  for (const path of OTHER_PATHS) {
    assert.equal(await upgradeStatus(served.port, path), 401, `${path} took an unchecked caller`);
  }
  await served.printed(/refused \/vonage: vonage calls have no check here .*OPEN_PROVIDERS/);
  await served.printed(/refused \/media: .*detecting path takes no calls/);
});

Deno.test("realtime-bridge main.ts takes the providers OPEN_PROVIDERS lists unchecked once a check is configured, and no others", async () => {
  await using served = await serveMain(BRIDGE_MAIN, {
    ...BRIDGE_ENV,
    TWILIO_AUTH_TOKEN: "secret",
    OPEN_PROVIDERS: "vonage, genesys",
  });
  assert.equal(await upgradeStatus(served.port, "/vonage"), 101);
  assert.equal(await upgradeStatus(served.port, "/genesys"), 101);
  for (const path of ["/twilio", "/telnyx", "/plivo", "/exotel", "/media"]) {
    assert.equal(await upgradeStatus(served.port, path), 401, path);
  }
});

Deno.test("realtime-bridge main.ts with PLIVO_AUTH_TOKEN set checks Plivo's V3 signature on /plivo", async () => {
  await using served = await serveMain(BRIDGE_MAIN, {
    ...BRIDGE_ENV,
    PLIVO_AUTH_TOKEN: "plivo-secret",
    PUBLIC_HOST: "bridge.example",
  });
  const nonce = "12345678901234567890";
  const signature = (token: string) =>
    hmacBase64(`wss://bridge.example/plivo.${nonce}`, { key: token, hash: "SHA-256" });
  const headers = async (token: string) => ({
    "X-Plivo-Signature-V3": await signature(token),
    "X-Plivo-Signature-V3-Nonce": nonce,
  });
  assert.equal(await upgradeStatus(served.port, "/plivo"), 401);
  assert.equal(await upgradeStatus(served.port, "/plivo", await headers("other")), 401);
  assert.equal(await upgradeStatus(served.port, "/plivo", await headers("plivo-secret")), 101);
  for (const path of ["/twilio", "/vonage", "/media"]) {
    assert.equal(await upgradeStatus(served.port, path), 401, path);
  }
});

Deno.test("realtime-bridge main.ts with no check configured takes every path, and says so at start", async () => {
  await using served = await serveMain(BRIDGE_MAIN, BRIDGE_ENV);
  await served.printed(/No provider check is configured .*every path takes calls from anyone/);
  for (const path of ["/twilio", ...OTHER_PATHS]) {
    assert.equal(await upgradeStatus(served.port, path), 101, path);
  }
});

Deno.test("realtime-bridge main.ts refuses to start with a message and exit 2: no OPENAI_API_KEY, a PUBLIC_HOST with a scheme, path or space, a bad OPEN_PROVIDERS, LOCAL_BARGE_IN other than 1 or 0, PLIVO_AUTH_ID without its token", async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /OPENAI_API_KEY is not set/],
    [
      { ...BRIDGE_ENV, PUBLIC_HOST: "https://abc123.ngrok.app" },
      /PUBLIC_HOST .*write "abc123\.ngrok\.app"/,
    ],
    [
      { ...BRIDGE_ENV, PUBLIC_HOST: "abc123.ngrok.app/twilio" },
      /PUBLIC_HOST .*write "abc123\.ngrok\.app"/,
    ],
    [
      { ...BRIDGE_ENV, PUBLIC_HOST: " abc123.ngrok.app" },
      /PUBLIC_HOST .*write "abc123\.ngrok\.app"/,
    ],
    [{ ...BRIDGE_ENV, OPEN_PROVIDERS: "vonage,skype" }, /OPEN_PROVIDERS .*"skype"/],
    [
      { ...BRIDGE_ENV, TWILIO_AUTH_TOKEN: "secret", OPEN_PROVIDERS: "twilio" },
      /OPEN_PROVIDERS lists twilio, whose calls TWILIO_AUTH_TOKEN checks/,
    ],
    [{ ...BRIDGE_ENV, LOCAL_BARGE_IN: "true" }, /LOCAL_BARGE_IN takes 1 .* or 0 .*got "true"/],
    [
      { ...BRIDGE_ENV, PLIVO_AUTH_ID: "MA1" },
      /PLIVO_AUTH_ID is set without PLIVO_AUTH_TOKEN/,
    ],
  ];
  for (const [env, message] of cases) {
    const { code, output } = await refusedStart(BRIDGE_MAIN, env);
    assert.equal(code, 2, output);
    assert.match(output, message);
    assert.doesNotMatch(output, /Uncaught|\bat file:/, "a message, not a stack");
  }
});

Deno.test("realtime-bridge main.ts refuses to start with a message and exit 2 when OPENAI_REALTIME_URL is no ws: or wss: URL, or ws: off this machine", async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [
      { ...BRIDGE_ENV, OPENAI_REALTIME_URL: "https://api.openai.com/v1/realtime" },
      /OPENAI_REALTIME_URL must be a ws: or wss: URL.*write "wss:\/\/api\.openai\.com\/v1\/realtime"/,
    ],
    [
      { ...BRIDGE_ENV, OPENAI_REALTIME_URL: "api.openai.com/v1/realtime" },
      /OPENAI_REALTIME_URL must be a ws: or wss: URL.*got "api\.openai\.com\/v1\/realtime"/,
    ],
    [
      // Before any call could send the key in clear on its handshake.
      { ...BRIDGE_ENV, OPENAI_REALTIME_URL: "ws://api.openai.com/v1/realtime" },
      /OPENAI_REALTIME_URL must be a wss: URL to reach api\.openai\.com, .*API key.* in clear.*write "wss:\/\/api\.openai\.com\/v1\/realtime"/,
    ],
  ];
  for (const [env, message] of cases) {
    const { code, output } = await refusedStart(BRIDGE_MAIN, env);
    assert.equal(code, 2, output);
    assert.match(output, message);
    assert.doesNotMatch(output, /Uncaught|\bat file:/, "a message, not a stack");
  }
});
