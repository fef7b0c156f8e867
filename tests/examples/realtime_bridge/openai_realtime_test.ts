// The realtime bridge's OpenAI model side on its own, against a scripted server on 127.0.0.1
// that plays the service's part event by event (shapes from OpenAI's Realtime reference).
import assert from "node:assert/strict";
import { OpenAIRealtime } from "../../../examples/realtime-bridge/openai_realtime.ts";
import type { RealtimeModelEvents } from "../../../examples/realtime-bridge/realtime_model.ts";
import { type Json, scripted } from "./_scripted_openai.ts";
import { FakeClock } from "../../../src/testing/fake_clock.ts";

/** Events that record what the model side reports. */
function recorder() {
  const audio: { itemId: string; bytes: number[] }[] = [];
  const ended: string[] = [];
  const errors: string[] = [];
  const events: RealtimeModelEvents = {
    onAudio: (itemId, pcm) => audio.push({ itemId, bytes: [...pcm] }),
    onAudioEnd: (itemId) => ended.push(itemId),
    onSpeechStarted: () => {},
    onError: (error) => errors.push(error.message),
    onClose: () => {},
  };
  return { audio, ended, errors, events };
}

async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const base64 = (bytes: number[]) => btoa(String.fromCharCode(...bytes));

Deno.test("`OpenAIRealtime` reads the beta's event names and keeps an odd byte of 24 kHz PCM for the next delta", async () => {
  const server = scripted((event, send) => {
    if (event.type !== "session.update") return;
    send({ type: "session.updated", session: event.session });
    // 3 bytes, then 3 more, of one item: two whole samples reach the bridge, in order.
    send({ type: "response.audio.delta", item_id: "item_1", delta: base64([1, 2, 3]) });
    send({ type: "response.output_audio.delta", item_id: "item_1", delta: base64([4, 5, 6]) });
    send({ type: "response.audio.done", item_id: "item_1" });
  });
  const model = new OpenAIRealtime({ apiKey: "k", url: server.url, audioFormat: "audio/pcm" });
  assert.equal(model.outputSampleRate, 24000);
  const seen = recorder();
  await model.connect(seen.events);
  await until(() => seen.ended.length === 1);
  assert.deepEqual(seen.audio, [
    { itemId: "item_1", bytes: [1, 2] },
    { itemId: "item_1", bytes: [3, 4, 5, 6] },
  ]);
  assert.deepEqual(seen.ended, ["item_1"]);
  assert.deepEqual(seen.errors, []);
  await model.close();
  await server.close();
});

Deno.test("`OpenAIRealtime` configures the session first, then sends the caller audio held while it opened", async () => {
  const server = scripted((event, send) => {
    if (event.type === "session.update") send({ type: "session.updated", session: event.session });
  });
  const model = new OpenAIRealtime({
    apiKey: "k",
    url: server.url,
    maxPendingAudioMs: 40, // two 20 ms frames
    voice: "cedar",
  });
  // Three 20 ms frames of 8 kHz PCM16 before the socket is open: the oldest one is dropped.
  for (const level of [1000, 2000, 3000]) {
    model.sendAudio(new Uint8Array(new Int16Array(160).fill(level).buffer));
  }
  assert.equal(model.droppedAudioMs, 20);
  const seen = recorder();
  await model.connect(seen.events);
  await until(() => server.received.length === 3);
  const [update, ...appends] = server.received;
  assert.equal(update!.type, "session.update");
  const session = update!.session as Json;
  assert.equal(session.type, "realtime");
  assert.deepEqual(session.output_modalities, ["audio"]);
  const audio = session.audio as Record<string, Json>;
  assert.deepEqual(audio.input!.format, { type: "audio/pcmu" });
  assert.deepEqual(audio.output!.format, { type: "audio/pcmu" });
  assert.equal(audio.output!.voice, "cedar");
  assert.equal((audio.input!.turn_detection as Json).interrupt_response, true);
  // μ-law, one byte per sample: the second and third frames, in order.
  assert.deepEqual(appends.map((a) => [a.type, atob(String(a.audio)).length]), [
    ["input_audio_buffer.append", 160],
    ["input_audio_buffer.append", 160],
  ]);
  await model.close();
  await server.close();
});

Deno.test("`OpenAIRealtime` cancels only a response under way, and truncates to whole milliseconds", async () => {
  let send: (event: Json) => void = () => {};
  const server = scripted((event, reply) => {
    send = reply;
    if (event.type === "session.update") reply({ type: "session.updated", session: event.session });
  });
  const model = new OpenAIRealtime({ apiKey: "k", url: server.url });
  const seen = recorder();
  await model.connect(seen.events);
  model.cancelResponse(); // nothing under way: nothing sent
  // A response begins (its first delta tells the test the model has read it): cancel it by id.
  send({ type: "response.created", response: { id: "resp_1", status: "in_progress" } });
  send({ type: "response.output_audio.delta", item_id: "item_1", delta: base64([0xff]) });
  await until(() => seen.audio.length === 1);
  model.cancelResponse();
  model.truncate("item_1", 1234.9);
  // Once it is done, there is nothing to cancel again.
  send({ type: "response.done", response: { id: "resp_1", status: "cancelled" } });
  send({ type: "response.output_audio.done", item_id: "item_1" });
  await until(() => seen.ended.length === 1);
  model.cancelResponse();
  await until(() => server.received.length === 3);
  assert.deepEqual(server.received.slice(1), [
    { type: "response.cancel", response_id: "resp_1" },
    { type: "conversation.item.truncate", item_id: "item_1", content_index: 0, audio_end_ms: 1234 },
  ]);
  await model.close();
  await server.close();
  assert.equal(server.received.length, 3);
});

Deno.test("`OpenAIRealtime` gives up on a session that is not configured within connectTimeoutMs", async () => {
  const clock = new FakeClock();
  const server = scripted(() => {/* never answers session.update */});
  const model = new OpenAIRealtime({
    apiKey: "k",
    url: server.url,
    clock,
    connectTimeoutMs: 5000,
  });
  const connecting = model.connect(recorder().events);
  await until(() => server.received.length === 1); // the session.update went out
  await clock.tick(5000);
  await assert.rejects(connecting, /did not open in time/);
  await server.close(); // the model closed its socket
});

Deno.test("`OpenAIRealtime` reports a malformed event or audio delta and goes on", async () => {
  const server = scripted((event, send) => {
    if (event.type !== "session.update") return;
    send({ type: "session.updated", session: event.session });
    send(null as unknown as Json); // "null": JSON, but no event
    send({ type: "response.output_audio.delta", item_id: "item_1", delta: "%%%" });
    send({ type: "response.output_audio.delta", item_id: "item_1", delta: base64([0xff, 0x7f]) });
  });
  const model = new OpenAIRealtime({ apiKey: "k", url: server.url });
  const seen = recorder();
  await model.connect(seen.events);
  await until(() => seen.audio.length === 1);
  assert.equal(seen.errors.length, 2);
  assert.match(seen.errors[0]!, /unreadable Realtime event/);
  assert.match(seen.errors[1]!, /unreadable audio delta of item_1/);
  // The good delta after them: two μ-law samples, 4 bytes of PCM16.
  assert.equal(seen.audio[0]!.bytes.length, 4);
  await model.close();
  await server.close();
});

Deno.test("`OpenAIRealtime` refuses a `ws:` url to another machine before any call opens it, and takes one to this machine", () => {
  let opened = 0;
  const connect = () => {
    opened++;
    throw new Error("not opened in this test");
  };
  // The key would go in the handshake's Authorization header, in clear across the network.
  assert.throws(
    () =>
      new OpenAIRealtime({ apiKey: "k", url: "ws://realtime.example.com/v1/realtime", connect }),
    (error) =>
      error instanceof RangeError &&
      /^OpenAIRealtime's url must be a wss: URL/.test(error.message) &&
      error.message.includes('write "wss://realtime.example.com/v1/realtime"'),
  );
  assert.throws(
    () => new OpenAIRealtime({ apiKey: "k", url: "https://realtime.example.com/v1/realtime" }),
    /write "wss:\/\/realtime\.example\.com\/v1\/realtime"/,
  );
  assert.throws(
    () => new OpenAIRealtime({ apiKey: "k", url: "wss://x.example.com/#a" }),
    RangeError,
  );
  for (
    const url of [
      "ws://127.0.0.1:9/v1/realtime",
      "ws://localhost:9/",
      "ws://[::1]:9/",
      "wss://x.example.com/",
    ]
  ) {
    new OpenAIRealtime({ apiKey: "k", url, connect });
  }
  assert.equal(opened, 0);
});

// OpenAI answers a wrong key with HTTP 401 "Incorrect API key provided" (help.openai.com, "Error
// Code 401 - Incorrect API key provided"; code `invalid_api_key`), so the WebSocket handshake is
// refused and the socket closes with 1006, which alone says nothing of why. Deno's error event
// carries the status: the operator reads it in "the model is unavailable: …".
Deno.test("`OpenAIRealtime` says a refused key's 401 when the handshake fails, not a bare 1006", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
    Response.json({
      error: {
        message: "Incorrect API key provided: sk-wrong.",
        type: "invalid_request_error",
        code: "invalid_api_key",
      },
    }, { status: 401 }));
  try {
    const model = new OpenAIRealtime({
      apiKey: "sk-wrong",
      url: `ws://127.0.0.1:${server.addr.port}/v1/realtime`,
    });
    await assert.rejects(
      model.connect(recorder().events),
      (error: Error) => {
        assert.match(
          error.message,
          /closed during setup \(1006 \): .*401.*the API key was refused/,
        );
        assert.doesNotMatch(error.message, /sk-wrong/); // the key is never in what gets logged
        return true;
      },
    );
  } finally {
    await server.shutdown();
  }
});

// OpenAI's Realtime reference, server events, `response.done`: "Always emitted, no matter the
// final state … Clients should check the `status` field of the Response to determine if it was
// successful (`completed`) or if there was another outcome: `cancelled`, `failed`, or
// `incomplete`." `status_details.error` ({ type, code }) is "populated when the `status` is
// `failed`" (the Response object's status_details). No `error` event comes with it: a failed
// answer (quota, rate limit, server error) is silence for the caller, and only this says why.
Deno.test("`OpenAIRealtime` reports a response that failed, with its status details, and goes on", async () => {
  const server = scripted((event, send) => {
    if (event.type !== "session.update") return;
    send({ type: "session.updated", session: event.session });
    send({ type: "response.created", response: { id: "resp_1", status: "in_progress" } });
    send({
      type: "response.done",
      response: {
        id: "resp_1",
        status: "failed",
        status_details: {
          type: "failed",
          // The error event's own example types: "invalid_request_error", "server_error".
          error: { type: "server_error" },
        },
        output: [],
      },
    });
    // A cancelled answer (the caller talked over it) is no error.
    send({ type: "response.created", response: { id: "resp_2", status: "in_progress" } });
    send({
      type: "response.done",
      response: {
        id: "resp_2",
        status: "cancelled",
        status_details: { type: "cancelled", reason: "turn_detected" },
        output: [],
      },
    });
    send({ type: "response.output_audio.delta", item_id: "item_3", delta: base64([0xff]) });
  });
  const model = new OpenAIRealtime({ apiKey: "k", url: server.url });
  const seen = recorder();
  await model.connect(seen.events);
  await until(() => seen.audio.length === 1); // every event before the delta was read
  assert.equal(seen.errors.length, 1);
  assert.match(seen.errors[0]!, /resp_1 failed/);
  assert.match(seen.errors[0]!, /server_error/);
  await model.close();
  await server.close();
});
