// The fake Realtime service refuses what OpenAI's documentation says the service refuses, so a
// bridge that passes against it has been checked, not just answered.
import assert from "node:assert/strict";
import { FakeClock } from "../../../src/testing/fake_clock.ts";
import { openWebSocket } from "../../_lockstep.ts";
import { FakeRealtimeServer } from "./fake_openai_realtime.ts";

type Json = Record<string, unknown>;

/** A plain client of the fake: sends JSON events, collects the server's. */
async function client(fake: FakeRealtimeServer, headers: Record<string, string>) {
  const ws = openWebSocket(`${fake.url}?model=gpt-realtime`, headers);
  const events: Json[] = [];
  ws.onmessage = (event) => events.push(JSON.parse(event.data));
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("could not connect"));
  });
  const next = async (type: string): Promise<Json> => {
    await until(() => events.some((e) => e.type === type));
    return events.splice(events.findIndex((e) => e.type === type), 1)[0]!;
  };
  return {
    send: (event: Json) => ws.send(JSON.stringify(event)),
    next,
    error: async () => (await next("error")).error as Json,
    async close() {
      const closed = new Promise((resolve) => (ws.onclose = resolve));
      ws.close(1000);
      await closed;
    },
  };
}

/** Waits (bounded) until `done()` holds: the socket carries the event in real time. */
async function until(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 3000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

function serve(clock = new FakeClock()) {
  return new FakeRealtimeServer({
    clock,
    apiKey: "sk-good",
    accept: (request) => Deno.upgradeWebSocket(request),
  });
}

Deno.test("the fake Realtime service refuses a handshake without the documented Bearer key", async () => {
  const fake = serve();
  const ws = openWebSocket(`${fake.url}?model=gpt-realtime`, { authorization: "Bearer sk-bad" });
  const closed = await new Promise<CloseEvent>((resolve) => {
    ws.onerror = () => {};
    ws.onclose = resolve;
  });
  assert.equal(closed.wasClean, false);
  assert.deepEqual(fake.refused, ["missing or wrong Authorization: Bearer key"]);
  await fake.close();
});

Deno.test("the fake Realtime service refuses the beta's session shape and undocumented formats", async () => {
  const fake = serve();
  const c = await client(fake, { authorization: "Bearer sk-good" });
  const created = await c.next("session.created");
  assert.equal((created.session as Json).type, "realtime");
  // The beta's flat fields are not the GA interface's.
  c.send({
    type: "session.update",
    session: { type: "realtime", input_audio_format: "g711_ulaw" },
  });
  assert.equal((await c.error()).code, "unknown_parameter");
  c.send({ type: "session.update", session: { modalities: ["audio"] } });
  assert.equal((await c.error()).code, "missing_required_parameter");
  c.send({
    type: "session.update",
    session: { type: "realtime", audio: { input: { format: { type: "audio/pcm", rate: 16000 } } } },
  });
  assert.equal((await c.error()).code, "invalid_value");
  c.send({ type: "input_audio_buffer.append", audio: "%%%" });
  assert.equal((await c.error()).code, "invalid_value");
  c.send({ type: "response.audio.delta" }); // a server event, not a client one
  assert.equal((await c.error()).code, "invalid_value");
  // The GA shape is taken, and `session.updated` shows the effective configuration.
  c.send({
    type: "session.update",
    session: { type: "realtime", audio: { output: { format: { type: "audio/pcmu" } } } },
  });
  const updated = await c.next("session.updated");
  const audio = (updated.session as Json).audio as Record<string, Json>;
  assert.deepEqual(audio.output!.format, { type: "audio/pcmu" });
  assert.deepEqual(audio.input!.format, { type: "audio/pcm", rate: 24000 }); // kept
  await c.close();
  await fake.close();
  assert.equal(fake.sessions[0]!.violations.length, 5);
});

Deno.test("the fake Realtime service truncates only within an item's audio, and cancels only a response under way", async () => {
  const clock = new FakeClock();
  const fake = serve(clock);
  const c = await client(fake, { authorization: "Bearer sk-good" });
  await c.next("session.created");
  c.send({ type: "response.cancel" });
  assert.equal((await c.error()).code, "response_cancel_not_active");
  c.send({
    type: "conversation.item.truncate",
    item_id: "item_x",
    content_index: 0,
    audio_end_ms: 0,
  });
  assert.equal((await c.error()).code, "invalid_value");
  // A response: 3 s of audio in 100 ms deltas, 25 ms apart on the fake clock.
  c.send({ type: "response.create" });
  const created = await c.next("response.created");
  const item = (await c.next("response.output_item.added")).item as Json;
  await clock.tick(500); // 20 deltas: 2 s of audio generated
  await c.next("response.output_audio.delta");
  const record = fake.sessions[0]!;
  assert.equal(record.items[0]!.audioMs, 2000);
  c.send({
    type: "conversation.item.truncate",
    item_id: item.id,
    content_index: 0,
    audio_end_ms: 2500,
  });
  assert.match(String((await c.error()).message), /shorter than 2500ms/);
  c.send({
    type: "conversation.item.truncate",
    item_id: item.id,
    content_index: 1,
    audio_end_ms: 10,
  });
  assert.equal((await c.error()).code, "invalid_value");
  c.send({
    type: "conversation.item.truncate",
    item_id: item.id,
    content_index: 0,
    audio_end_ms: 1200,
  });
  const truncated = await c.next("conversation.item.truncated");
  assert.equal(truncated.audio_end_ms, 1200);
  c.send({ type: "response.cancel", response_id: (created.response as Json).id });
  await until(() => record.cancels.length === 1);
  await clock.tick(200); // the cancel takes effect, after the deltas in flight
  const done = await c.next("response.done");
  assert.equal((done.response as Json).status, "cancelled");
  assert.equal(record.items[0]!.lateDeltas, 3);
  await c.close();
  await fake.close();
  assert.deepEqual(record.cancels.map((x) => x.responseId), [(created.response as Json).id]);
  assert.equal(record.truncates.length, 1);
});
