// The realtime bridge's main.ts as a user runs it (`deno serve`, its settings in the environment
// alone), carrying real calls to a model: OPENAI_REALTIME_URL points at the fake OpenAI Realtime
// service (fake_openai_realtime.ts, written from OpenAI's documentation), and the simulator
// calls it as Twilio, Vonage and Genesys would. The bridge tests in realtime_bridge_test.ts build
// the bridge themselves, copying main.ts's choices; here main.ts's own choices are what is
// tested: μ-law with the model for a phone line, 24 kHz PCM for Vonage's wideband line, and a
// Genesys Audio Connector that hears the answer. That Audio Connector's `open` carries no
// `inputVariables` (the simulator's `platform.inputVariables: false`): the Architect action that
// starts the session (Genesys Cloud Resource Center, "Call Audio Connector action", its Inputs
// row) has input variables only if the flow author defines some, and Genesys's own Audio
// Connector server (GenesysCloudBlueprints/audioconnector-server-reference-implementation) declares
// the field optional (src/protocol/message.ts, `OpenParameters`: `inputVariables?`). It is the one
// session on which main.ts's `sendAudio: "always"` and the serializer's default `"auto"` part:
// `"auto"` takes it for a listen-only Monitor's and drops the answer, the caller hearing none.
//
// A separate process cannot share the test's fake clock: every party runs on the system clock
// here, over real sockets on 127.0.0.1, with short answers (the fake streams them at four times
// real time) so that the whole file takes a few seconds. What is asserted is what the calls
// carried (formats, speech heard, every millisecond of the answer played), not timings.
import assert from "node:assert/strict";
import { systemClock } from "../../../src/clock.ts";
import { simulateCall, syntheticCaller } from "../../../src/simulator/mod.ts";
import type { CallReport } from "../../../src/simulator/report.ts";
import { within } from "../../_ws_client.ts";
import { serveMain } from "../_example_main.ts";
import { FakeRealtimeServer, type FakeSessionRecord } from "./fake_openai_realtime.ts";

const BRIDGE_MAIN = "examples/realtime-bridge/main.ts";
const API_KEY = "sk-test-key";
/** The answer the fake model speaks, in ms of audio. */
const ANSWER_MS = 800;

type Protocol = "twilio" | "vonage" | "genesys";

/** One short question, then quiet until the answer has played: about 5 s of call. */
function call(url: string, protocol: Protocol): Promise<CallReport> {
  return simulateCall(url, {
    // Genesys: an Audio Connector open without input variables, which only "always" talks to.
    protocol,
    ...(protocol === "genesys" ? { platform: { inputVariables: false } } : {}),
    audio: syntheticCaller({ utterancesMs: [600], pauseMs: 200 }),
    // The audio ends 200 ms after the question; the fake's VAD hears the question end after
    // 500 ms of quiet (`silence_duration_ms`) and answers at once: the answer starts ~0.35 s
    // after the audio's end, and the caller waits this long for it (ample room for a loaded
    // machine: nearly ten times what it needs), then hangs up once the answer has been quiet as
    // long.
    lingerMs: 3000,
    maxDurationMs: 15000,
    connectTimeoutMs: 5000,
  });
}

/** What one call carried, as the caller and the model saw it. */
function assertAnswered(
  protocol: Protocol,
  report: CallReport,
  session: FakeSessionRecord,
  format: Record<string, unknown>,
): void {
  const where = `${protocol} call`;
  assert.deepEqual(report.violations, [], where);
  assert.deepEqual(session.violations, [], `${where}: the model saw only documented events`);
  // main.ts configured the session: this format both ways.
  const audio = session.session.audio as Record<string, Record<string, unknown>>;
  assert.deepEqual(audio.input!.format, format, where);
  assert.deepEqual(audio.output!.format, format, where);
  // The caller's question reached the model: its VAD heard one utterance, and the input it took
  // (decoded by the declared format) lasts as long as what the caller sent. Audio sent in
  // another format than declared would measure twice or half as long (μ-law is 1 byte a sample,
  // PCM16 2) or at another rate.
  assert.equal(session.speechStarts.length, 1, where);
  assert.ok(
    Math.abs(session.inputMs - report.callerAudioMs) <= 100,
    `${where}: the model took ${session.inputMs} ms of input; the caller sent ` +
      `${report.callerAudioMs} ms`,
  );
  // The model's answer reached the caller, all of it, and audibly (the simulator's far end
  // counts what it played in its own platform's format, after the bridge's conversion).
  assert.deepEqual(session.items.map((item) => item.status), ["completed"], where);
  assert.equal(report.utterances.length, 1, where);
  assert.ok(report.utterances[0]!.responseStartMs !== null, `${where}: no answer was heard`);
  assert.ok(report.firstAudibleMs !== null, `${where}: what played was silence`);
  const played = report.audio.playedMs;
  // Exactly: a resampled answer (Vonage's 16 kHz line) ends in whole frames too, its held-back
  // tail joining the last one, never padded out to a frame of its own.
  assert.equal(
    played,
    ANSWER_MS,
    `${where}: the caller heard ${played} ms of an answer of ${ANSWER_MS} ms`,
  );
  // The caller hung up; main.ts's bridge closed the model session normally in turn.
  assert.equal(report.ended.by, "caller", where);
  assert.deepEqual(session.closed, { code: 1000, reason: "call ended" }, where);
}

Deno.test("realtime-bridge main.ts carries Twilio and Genesys calls to the model as μ-law and a Vonage call as 24 kHz PCM, answers included (Genesys's with no input variables in its open)", async () => {
  const modelSessionOpened: (() => void)[] = [];
  const fake = new FakeRealtimeServer({
    clock: systemClock,
    apiKey: API_KEY,
    answersMs: [ANSWER_MS],
    accept: (request) => {
      const upgraded = Deno.upgradeWebSocket(request);
      modelSessionOpened.shift()?.();
      return upgraded;
    },
  });
  try {
    await using served = await serveMain(BRIDGE_MAIN, {
      OPENAI_API_KEY: API_KEY,
      OPENAI_REALTIME_URL: fake.url,
    });
    // The calls overlap, each placed once the one before has its model session: the fake's
    // sessions are then the calls', in order.
    const protocols: Protocol[] = ["twilio", "vonage", "genesys"];
    const reports: Promise<CallReport>[] = [];
    for (const protocol of protocols) {
      const opened = new Promise<void>((resolve) => modelSessionOpened.push(resolve));
      reports.push(call(`ws://127.0.0.1:${served.port}/${protocol}`, protocol));
      await within(opened, 10000, `a model session for the ${protocol} call:\n${served.output()}`);
    }
    const [twilio, vonage, genesys] = await Promise.all(reports);
    // Each call's model session ends once its caller has hung up.
    await within(fake.close(), 5000, `the model sessions' end:\n${served.output()}`);
    assert.deepEqual(fake.refused, [], "main.ts reached the fake with its key and a model");
    assert.equal(fake.sessions.length, 3, served.output());
    assert.equal(fake.sessions[0]!.session.model, "gpt-realtime"); // main.ts's default model
    // Phone lines are 8 kHz μ-law: the model hears and speaks it as is, no resampling.
    assertAnswered("twilio", twilio!, fake.sessions[0]!, { type: "audio/pcmu" });
    // Vonage's line is 16 kHz linear PCM: wideband kept, at the model's one PCM rate.
    assertAnswered("vonage", vonage!, fake.sessions[1]!, { type: "audio/pcm", rate: 24000 });
    // Genesys's Audio Connector is a phone line too; the answer played, in 200 ms packets, though
    // its open had no input variables (main.ts's "always": "auto" would have sent none of it).
    assertAnswered("genesys", genesys!, fake.sessions[2]!, { type: "audio/pcmu" });
  } finally {
    await within(fake.close(), 5000, "the fake model's shutdown");
  }
});
