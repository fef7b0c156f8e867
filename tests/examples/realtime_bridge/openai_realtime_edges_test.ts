// The bridge's OpenAI model side where the common path does not go: a `response.created` that
// names no response, `session` fields that add to the audio settings, and a session closed while
// it is still opening. The far end is a server on 127.0.0.1 playing the service's part from
// OpenAI's Realtime reference (developers.openai.com/api/reference/resources/realtime/…).
import assert from "node:assert/strict";
import { OpenAIRealtime } from "../../../examples/realtime-bridge/openai_realtime.ts";
import type { RealtimeModelEvents } from "../../../examples/realtime-bridge/realtime_model.ts";
import { type Json, scripted } from "./_scripted_openai.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { within } from "../../_ws_client.ts";

function recorder() {
  const audio: string[] = [];
  const errors: string[] = [];
  const events: RealtimeModelEvents = {
    onAudio: (itemId) => audio.push(itemId),
    onAudioEnd: () => {},
    onSpeechStarted: () => {},
    onError: (error) => errors.push(error.message),
    onClose: () => {},
  };
  return { audio, errors, events };
}

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

// client-events, `response.cancel`: `response_id` is optional, "A specific response ID to cancel
// - if not provided, will cancel an in-progress response in the default conversation"; "If there
// is no response to cancel, the server will respond with an error", and the error a cancel of no
// response under way gets is `response_cancel_not_active` (openai/openai-agents-js#189), which
// the model side does not report. So a cancel naming a response that is not the one in progress
// is lost without a word: the caller's barge-in leaves the answer generating.
Deno.test("`OpenAIRealtime` cancels the response under way when its `response.created` named no id", async () => {
  const inProgress = "resp_server_side";
  const cancelled: string[] = [];
  const server = scripted((event, send) => {
    if (event.type === "session.update") {
      send({ type: "session.updated", session: event.session });
      // The response as the client sees it: no `response.id` (nor any `response` at all).
      send({ type: "response.created" });
      send({ type: "response.output_audio.delta", item_id: "item_1", delta: btoa("\xff") });
    }
    if (event.type !== "response.cancel") return;
    const wanted = event.response_id;
    if (wanted !== undefined && wanted !== inProgress) {
      send({
        type: "error",
        error: {
          type: "invalid_request_error",
          code: "response_cancel_not_active",
          message: "Cancellation failed: no active response found",
        },
      });
      return;
    }
    cancelled.push(inProgress);
    send({ type: "response.done", response: { id: inProgress, status: "cancelled" } });
  });
  const model = new OpenAIRealtime({ apiKey: "k", url: server.url });
  const seen = recorder();
  await model.connect(seen.events);
  await until(() => seen.audio.length === 1); // the response has begun
  model.cancelResponse();
  await until(() => server.received.length === 2);
  assert.deepEqual(server.received[1], { type: "response.cancel" });
  await until(() => cancelled.length === 1);
  assert.deepEqual(seen.errors, []);
  await model.close();
  await server.close();
});

// client-events, `session.update`: input transcription is `session.audio.input.transcription`
// (RealtimeAudioConfigInput { format, noise_reduction, transcription, turn_detection }), and
// "Only the fields that are present in the session.update are updated": an `audio` sent without
// its formats leaves the session's default, `audio/pcm` at 24 kHz, while μ-law is appended.
Deno.test("`OpenAIRealtime`'s `session` fields add input transcription without dropping the audio formats, turn detection or voice", async () => {
  const server = scripted((event, send) => {
    if (event.type === "session.update") send({ type: "session.updated", session: event.session });
  });
  const transcription = { model: "gpt-4o-transcribe", language: "en" };
  const model = new OpenAIRealtime({
    apiKey: "k",
    url: server.url,
    voice: "cedar",
    session: {
      audio: { input: { transcription, format: { type: "audio/pcm", rate: 24000 } } },
      tools: [],
    },
  });
  await model.connect(recorder().events);
  const session = server.received[0]!.session as Json;
  const audio = session.audio as Record<string, Json>;
  assert.deepEqual(audio.input!.transcription, transcription);
  // The format the model side converts to (μ-law, `audioFormat`'s default), both ways: a format
  // in `session` cannot put the wire out of step with the audio sent.
  assert.deepEqual(audio.input!.format, { type: "audio/pcmu" });
  assert.deepEqual(audio.output!.format, { type: "audio/pcmu" });
  assert.equal((audio.input!.turn_detection as Json).type, "server_vad");
  assert.equal(audio.output!.voice, "cedar");
  assert.deepEqual(session.tools, []);
  await model.close();
  await server.close();
});

// RFC 6455 §4.1: the client waits for the server's handshake response. A server that accepts the
// TCP connection and never answers keeps the socket CONNECTING; the caller hangs up meanwhile,
// and the bridge closes the model (`bridge_call.ts`): nothing of it may outlive the call. (A guard:
// Deno's WebSocket reports a close while CONNECTING at once, and that settles `connect()`.)
Deno.test("`OpenAIRealtime` closed while still opening gives up connecting at once, its timeout disarmed", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn); // and never answers
  })();
  const clock = new FakeClock();
  const model = new OpenAIRealtime({
    apiKey: "k",
    url: `ws://127.0.0.1:${listener.addr.port}/v1/realtime`,
    clock,
    connectTimeoutMs: 10_000,
  });
  try {
    let outcome = "";
    const connecting = model.connect(recorder().events).then(
      () => (outcome = "connected"),
      (error: Error) => (outcome = error.message),
    );
    await until(() => accepted.length === 1);
    const closing = model.close();
    await clock.tick(2000); // the close's own bound, should the socket never report its end
    await within(closing, 3000, "the close");
    await within(connecting, 3000, "connect()'s end");
    assert.match(outcome, /closed during setup/);
    assert.equal(clock.pendingTimers, 0, "a timer of the closed session is still armed");
  } finally {
    for (const conn of accepted) conn.close();
    listener.close();
    await accepting.catch(() => {});
  }
});
