// The Genesys serializer inside a real WebSocketTransport, against an AudioHook client that
// behaves as Genesys's does (fixtures/audiohook_client.ts): the closing sequence, monitor-only
// sessions, and the bound on waiting for the client.
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import type { GenesysSerializerOptions } from "../../src/serializers/genesys.ts";
import type { AudioHookClientOptions } from "./fixtures/audiohook_client.ts";
import { audioHookSession } from "./fixtures/audiohook_session.ts";
import { audioConnectorSession, speech } from "./fixtures/audio_connector_client.ts";

/** 100 ms of a quiet 16 kHz signal (not silence, so μ-law bytes vary). */
const AUDIO_100MS: Frame = {
  type: "audio",
  audio: new Uint8Array(new Int16Array(1600).map((_, i) => (i % 40) * 50 - 1000).buffer),
  sampleRate: 16000,
  channels: 1,
};

function session(
  serializerOptions: GenesysSerializerOptions,
  clientOptions: Partial<AudioHookClientOptions> = {},
) {
  const s = audioHookSession(serializerOptions, clientOptions);
  const reader = s.transport.readable.getReader();
  const writer = s.transport.writable.getWriter();
  return { ...s, reader, writer };
}

type Session = ReturnType<typeof session>;

/** Opens the session and returns the bot's `start` frame. */
async function opened(s: Session): Promise<Frame> {
  s.client.open();
  const { value } = await s.reader.read();
  assert.equal(s.client.state, "open");
  return value!;
}

/** Every frame the bot reads until `readable` ends. */
async function rest(s: Session): Promise<Frame[]> {
  const frames: Frame[] = [];
  for (;;) {
    const { value, done } = await s.reader.read();
    if (done) return frames;
    frames.push(value);
  }
}

const kinds = (s: Session) => s.client.seen.map((m) => ("binary" in m ? "binary" : m.type));

/**
 * The length of the longest text message the client gets from now on, in UTF-16 units: what
 * Genesys's reference client holds to 65,535 (client/clientsessionimpl.ts, onTextMessage).
 */
function longestText(s: Session): () => number {
  let longest = 0;
  s.pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data;
    if (typeof data === "string") longest = Math.max(longest, data.length);
  });
  return () => longest;
}

/** The parameters of the server messages the client saw after `opened`. */
const parametersSeen = (s: Session) =>
  s.client.seen.slice(1).map((m) => "parameters" in m && m.parameters);

Deno.test("`GenesysSerializer` ends with AudioHook's closing sequence through a real transport", async () => {
  const s = session({}, { inputVariables: { accountNumber: "1234" } });
  const start = await opened(s);
  assert.equal(start.type === "start" && start.callId, "090eaa2f-72fa-480a-83e0-8667ff89c0ec");
  s.genesys.setOutputVariables({ intent: "billing" });
  void s.writer.write(AUDIO_100MS);
  const ended = s.writer.write({ type: "end", reason: "goodbye" });
  await s.clock.runAll(5000);
  await ended;

  // disconnect → the client's close → closed → the client closes the socket.
  const seen = kinds(s);
  assert.deepEqual(seen.filter((k) => k !== "binary"), ["opened", "disconnect", "closed"]);
  assert.ok(seen.indexOf("binary") > 0, "the bot's audio went out");
  assert.ok(seen.lastIndexOf("binary") < seen.indexOf("disconnect"), "all audio before disconnect");
  const disconnect = s.client.seen.find((m) => "type" in m && m.type === "disconnect");
  const closed = s.client.seen.find((m) => "type" in m && m.type === "closed");
  assert.deepEqual(disconnect && "parameters" in disconnect && disconnect.parameters, {
    reason: "completed",
    info: "goodbye",
    outputVariables: { intent: "billing" },
  });
  assert.deepEqual(closed && "parameters" in closed && closed.parameters, {
    outputVariables: { intent: "billing" },
  });
  assert.deepEqual(s.client.sent.map((m) => [m.type, m.parameters]), [
    ["open", s.client.sent[0]!.parameters],
    ["close", { reason: "disconnect" }],
  ]);
  assert.deepEqual(s.client.violations, []);
  // The client closed the socket (as the reference client does, without a code); the transport
  // reports that close, not a timeout of its own, and the ending as ours: we said disconnect.
  assert.deepEqual(await s.transport.closed, { code: 1005, reason: "", initiator: "local" });
  assert.ok(s.clock.now() < 1000, `closed at ${s.clock.now()} ms, before closeTimeoutMs`);
  assert.deepEqual(await rest(s), [{ type: "end", reason: "disconnect" }]);
  assert.equal(s.transport.stats.audioBytesRefused, 0);
  assert.equal(s.transport.stats.audioBytesSent, 3200);
  assert.deepEqual(s.errors, []);
  assert.equal(s.clock.pendingTimers, 0);
});

Deno.test("`GenesysSerializer` answers the client's own close with closed and its output variables", async () => {
  const s = session({ outputVariables: { resolved: "yes" } });
  await opened(s);
  s.client.close("end");
  assert.deepEqual(await rest(s), [{ type: "end", reason: "end" }]);
  assert.deepEqual(await s.transport.closed, { code: 1005, reason: "", initiator: "remote" });
  assert.deepEqual(s.client.seen, [
    s.client.seen[0],
    { type: "closed", seq: 2, parameters: { outputVariables: { resolved: "yes" } } },
  ]);
  assert.deepEqual(s.client.violations, []);
  await s.clock.runAll();
});

Deno.test("`GenesysSerializer` drops audio on a monitor-only session, counted and reported once", async () => {
  const s = session({}); // the client's open carries no inputVariables: AudioHook Monitor
  await opened(s);
  assert.equal(s.genesys.carriesAudio, false);
  void s.writer.write(AUDIO_100MS);
  void s.writer.write(AUDIO_100MS);
  const ended = s.writer.write({ type: "end" });
  await s.clock.runAll(5000);
  await ended;
  assert.equal(kinds(s).includes("binary"), false, "no binary message reached the client");
  assert.deepEqual(kinds(s), ["opened", "disconnect", "closed"]);
  assert.equal(s.client.sent.some((m) => m.type === "error"), false, "no 415");
  assert.equal(s.transport.stats.audioBytesRefused, 6400);
  assert.equal(s.transport.stats.audioBytesSent, 0);
  assert.equal(s.errors.length, 1);
  assert.equal(s.errors[0]!.code, "encode");
  assert.match(s.errors[0]!.message, /takes no audio/);
  assert.equal((await s.transport.closed).initiator, "local");
  await rest(s);
});

Deno.test("`GenesysSerializer` sends audio to a monitor-only client only when told to, which ends the session", async () => {
  // Why monitor-only audio is dropped: the client answers binary with error 415 and closes.
  const s = session({ sendAudio: "always" });
  await opened(s);
  void s.writer.write(AUDIO_100MS);
  await s.clock.runAll(5000);
  const sent = s.client.sent.slice(1).map((m) => [m.type, m.parameters]);
  const error415 = ["error", { code: 415, message: "Unexpected binary message" }];
  assert.deepEqual(sent.slice(0, 2), [error415, ["close", { reason: "error" }]]);
  // Each binary message that was already on its way meets another 415 until the socket closes.
  assert.ok(sent.slice(2).every((m) => JSON.stringify(m) === JSON.stringify(error415)));
  const frames = await rest(s);
  // The error before the close reaches the bot as a message frame; the bot reads nothing after
  // its `end`, but every error is reported, those after the close too.
  assert.deepEqual(frames.map((f) => f.type), ["message", "end"]);
  assert.deepEqual(frames[1], { type: "end", reason: "error" });
  const reported415 = s.errors.filter((e) =>
    e.message === "genesys: error 415: Unexpected binary message"
  );
  assert.equal(reported415.length, sent.length - 1, "each error reported");
  assert.equal((await s.transport.closed).initiator, "remote");
  assert.deepEqual(s.client.violations, []);
});

Deno.test("`GenesysSerializer` closes within closeTimeoutMs when the client never answers disconnect", async () => {
  const s = session({}, { answersDisconnect: false });
  await opened(s);
  const ended = s.writer.write({ type: "end" });
  await s.clock.tick(0);
  assert.deepEqual(kinds(s), ["opened", "disconnect"]);
  await s.clock.tick(999);
  assert.equal(s.pair.server.readyState, 1, "still waiting for the client");
  await s.clock.tick(1);
  await ended;
  assert.deepEqual(await s.transport.closed, { code: 1000, reason: "", initiator: "local" });
  await rest(s);
  await s.clock.runAll();
});

Deno.test("`GenesysSerializer` has the transport close at once when no session was opened", async () => {
  const s = session({});
  const ended = s.writer.write({ type: "end" });
  await s.clock.tick(0);
  await ended;
  assert.equal(s.genesys.peerCloses, false);
  assert.deepEqual(await s.transport.closed, { code: 1000, reason: "", initiator: "local" });
  assert.equal(s.clock.now(), 0);
  await rest(s);
  await s.clock.runAll();
});

Deno.test("`GenesysSerializer` gives the bot the caller's audio that Genesys streams until it has read our disconnect", async () => {
  // Genesys Cloud resource center, "What happens during a successful session between Genesys
  // Cloud and your AudioHook server?": the interaction ends "at the server's request" with the
  // client's close transaction, and "the client does not send any audio frames after the client
  // issues the close message": audio sent before Genesys has read our disconnect still comes.
  const s = session({}, { answersDisconnect: false });
  await opened(s);
  const ended = s.writer.write({ type: "end" });
  await s.clock.tick(0);
  assert.deepEqual(kinds(s), ["opened", "disconnect"]);
  const caller = new Uint8Array(1600).fill(0x7f); // 200 ms of PCMU, as Genesys sends it
  s.client.audio(caller);
  s.client.audio(caller);
  s.client.close("disconnect"); // Genesys has now read the disconnect
  await s.clock.runAll(5000);
  await ended;
  const frames = await rest(s);
  // Both packets, every sample of them (the resampler's last ones at the close): 400 ms at 16 kHz.
  const bytes = frames.reduce((sum, f) => sum + (f.type === "audio" ? f.audio.length : 0), 0);
  assert.equal(bytes, 2 * 1600 * 2 * 2, "both packets reached the bot");
  assert.deepEqual(frames.at(-1), { type: "end", reason: "disconnect" });
  assert.equal(s.transport.stats.decodeErrors, 0);
  assert.deepEqual(s.errors, []);
  assert.deepEqual(kinds(s), ["opened", "disconnect", "closed"]);
  assert.deepEqual(s.client.violations, []);
});

Deno.test("`GenesysSerializer` drops caller audio sent while the stream is paused, counted and reported, and ends the session", async () => {
  // A paused AudioHook stream carries no audio (Genesys Cloud resource center, "What happens
  // during a successful session…": "the client or the server can send a 'paused' message to
  // notify that the stream is paused"); the reference server answers audio in its PAUSED state
  // with disconnect reason "error" (serversessionimpl.ts, onBinaryMessage). Here the client
  // breaks that rule: the audio must not reach the bot, and every packet is counted and reported.
  const s = session({});
  await opened(s);
  s.client.pause();
  const caller = new Uint8Array(1600).fill(0x7f); // 200 ms of PCMU
  s.pair.client.send(caller); // bypasses the client's own rule, as a faulty client would
  s.pair.client.send(caller);
  await s.clock.runAll(5000);
  assert.equal(s.transport.stats.decodeErrors, 2, "each refused packet counted");
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [
    ["decode", "genesys: Received 1600 bytes of audio while the stream is paused"],
    ["decode", "genesys: Received 1600 bytes of audio while the stream is paused"],
  ]);
  assert.deepEqual(kinds(s), ["opened", "disconnect", "closed"]);
  const disconnect = s.client.seen.find((m) => "type" in m && m.type === "disconnect");
  assert.deepEqual(disconnect && "parameters" in disconnect && disconnect.parameters, {
    reason: "error",
    info: "Client Error: Received 1600 bytes of audio while the stream is paused",
  });
  assert.deepEqual(s.client.violations, []);
  assert.deepEqual(
    await rest(s),
    [{ type: "end", reason: "disconnect" }],
    "no audio reached the bot",
  );
});

Deno.test("`GenesysSerializer`: a message frame sent through the context is counted sent, not dropped", async () => {
  const s = session({});
  await opened(s);
  const before = s.transport.stats;
  s.transport.send({
    type: "message",
    message: { type: "event", parameters: { entities: [{ type: "barge_in", data: {} }] } },
  });
  await s.clock.tick(50);
  assert.equal(s.transport.stats.messagesOut, before.messagesOut + 1);
  assert.equal(s.transport.stats.encodeErrors, 0);
  assert.deepEqual(s.errors, []);
  assert.ok(s.client.seen.some((m) => "type" in m && m.type === "event"));
  // On the urgent path too; and, the socket closed, one frame dropped, counted once.
  s.transport.send({
    type: "message",
    message: { type: "event", parameters: { entities: [{ type: "barge_in", data: {} }] } },
    urgent: true,
  });
  assert.equal(s.transport.stats.messagesOut, before.messagesOut + 2);
  s.pair.server.close(1000);
  const dropped = s.transport.stats.framesDroppedOnClose;
  s.transport.send({
    type: "message",
    message: { type: "event", parameters: { entities: [{ type: "barge_in", data: {} }] } },
    urgent: true,
  });
  assert.equal(s.transport.stats.framesDroppedOnClose, dropped + 1, "counted once, as dropped");
  assert.equal(s.transport.stats.encodeErrors, 0);
  assert.deepEqual(s.errors, []);
  await s.clock.tick(2000);
  await s.transport.closed;
});

Deno.test("`GenesysSerializer`: a bot's message Genesys would refuse is an encode error, counted and reported, and the session goes on", async () => {
  // What Genesys's reference client ends the call for (client/clientsessionimpl.ts): a text
  // message over 65,535 (error 413), parameters its serverMessageChecker refuses, a gap in the
  // server's seq. None reaches it; each is the frame's own encode error, and the next message
  // follows on in order.
  const s = session({});
  await opened(s);
  const event = (parameters: unknown): Frame => ({
    type: "message",
    message: { type: "event", parameters },
  });
  const transcript = { entities: [{ type: "transcript", data: { text: "hi" } }] };
  s.transport.send(
    event({ entities: [{ type: "transcript", data: { text: "a".repeat(70_000) } }] }),
  );
  s.transport.send(event({}));
  s.transport.send(event({ entities: [{ type: "transcript", data: { n: 1n } }] }));
  s.transport.send(event(transcript));
  await s.clock.tick(50);
  assert.equal(s.transport.stats.encodeErrors, 3);
  assert.deepEqual(s.errors.map((e) => e.code), ["encode", "encode", "encode"]);
  assert.match(s.errors[0]!.message, /^genesys: event not sent: \d+ bytes, and Genesys takes/);
  assert.match(s.errors[1]!.message, /^genesys: event not sent: entities is not a list/);
  assert.match(s.errors[2]!.message, /not JSON-able/);
  assert.deepEqual(s.client.seen.slice(1), [{ type: "event", seq: 2, parameters: transcript }]);
  assert.deepEqual(s.client.violations, []);
  s.client.close("end");
  assert.deepEqual(await rest(s), [{ type: "end", reason: "end" }]);
  await s.clock.runAll();
});

Deno.test("`GenesysSerializer`: a bot's opened, pong or closed is an encode error, counted and reported, and the session goes on", async () => {
  // Genesys Cloud resource center, "What happens during a successful session between Genesys
  // Cloud and your AudioHook server?": the server "responds with an 'opened' message" to the
  // client's open transaction, and the client's close transaction ends with the server's
  // `closed`; `pong` answers the client's `ping`. The serializer sends all three itself, so one
  // from the bot answers nothing: Genesys's reference client (client/clientsessionimpl.ts) takes
  // an `opened` out of its open transaction or a `closed` out of its close transaction as a
  // fatal error 409 that ends the call, and a `pong` with no `ping` outstanding as an error 409.
  const s = session({});
  await opened(s);
  const message = (type: string): Frame => ({ type: "message", message: { type, parameters: {} } });
  s.transport.send(message("opened"));
  s.transport.send(message("pong"));
  s.transport.send(message("closed"));
  const transcript = { entities: [{ type: "transcript", data: { text: "hi" } }] };
  s.transport.send({ type: "message", message: { type: "event", parameters: transcript } });
  await s.clock.tick(50);
  assert.equal(s.transport.stats.encodeErrors, 3);
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [
    [
      "encode",
      "genesys: opened not sent: it answers Genesys's open, which the serializer answers itself",
    ],
    [
      "encode",
      "genesys: pong not sent: it answers Genesys's ping, which the serializer answers itself",
    ],
    [
      "encode",
      "genesys: closed not sent: it answers Genesys's close, which the serializer answers itself",
    ],
  ]);
  assert.deepEqual(s.client.seen.slice(1), [{ type: "event", seq: 2, parameters: transcript }]);
  assert.deepEqual(s.client.violations, []);
  assert.equal(s.client.state, "open", "the call goes on");
  s.client.close("end");
  assert.deepEqual(await rest(s), [{ type: "end", reason: "end" }]);
  await s.clock.runAll();
});

Deno.test("`GenesysSerializer` sends disconnect and closed without output variables too large for Genesys, counted and reported", async () => {
  // Genesys's reference client (client/clientsessionimpl.ts, onTextMessage) answers a text message
  // longer than 65,535 with a fatal error 413, "Message too large", and its close transaction; a
  // `closed` it cannot take leaves that transaction to its timeout (error 408). Variables that
  // make the goodbye that long cannot reach the Architect flow: the call ends cleanly without them.
  // Under the bound alone (setOutputVariables refuses more), over it in an envelope.
  const s = session({ outputVariables: { summary: "a".repeat(65_500) } });
  const longest = longestText(s);
  await opened(s);
  const ended = s.writer.write({ type: "end", reason: "goodbye" });
  await s.clock.runAll(5000);
  await ended;
  assert.ok(longest() <= 65_535, `a message of ${longest()} characters reached Genesys`);
  assert.deepEqual(kinds(s), ["opened", "disconnect", "closed"]);
  assert.deepEqual(parametersSeen(s), [
    { reason: "completed", info: "goodbye" },
    {},
  ]);
  assert.deepEqual(s.client.sent.map((m) => m.type), ["open", "close"], "no error 413");
  assert.deepEqual(s.client.violations, []);
  assert.equal(s.transport.stats.encodeErrors, 2);
  const dropped = (type: string) =>
    `genesys: ${type} sent without its outputVariables (65514 bytes of JSON), the Architect ` +
    "flow gets none: with them it is over the 65535 bytes Genesys takes";
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [
    ["encode", dropped("disconnect")],
    ["encode", dropped("closed")],
  ]);
  assert.equal((await s.transport.closed).initiator, "local");
  assert.deepEqual(await rest(s), [{ type: "end", reason: "disconnect" }]);
});

Deno.test("`GenesysSerializer` sends disconnect without an end reason too large for Genesys, counted and reported, with the output variables", async () => {
  // The end's reason goes as the disconnect's `info`; over the 65,535 Genesys's reference client
  // takes (client/clientsessionimpl.ts, onTextMessage: a fatal error 413 and its close
  // transaction) it would end the call with an error whatever the output variables: it is left
  // out, and the variables, which fit, still reach the Architect flow.
  const s = session({ outputVariables: { intent: "billing" } });
  const longest = longestText(s);
  await opened(s);
  const ended = s.writer.write({ type: "end", reason: "a".repeat(70_000) });
  await s.clock.runAll(5000);
  await ended;
  assert.ok(longest() <= 65_535, `a message of ${longest()} characters reached Genesys`);
  assert.deepEqual(kinds(s), ["opened", "disconnect", "closed"]);
  const outputVariables = { intent: "billing" };
  assert.deepEqual(parametersSeen(s), [{ reason: "completed", outputVariables }, {
    outputVariables,
  }]);
  assert.deepEqual(s.client.sent.map((m) => m.type), ["open", "close"], "no error 413");
  assert.deepEqual(s.client.violations, []);
  assert.equal(s.transport.stats.encodeErrors, 1);
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [[
    "encode",
    "genesys: disconnect sent without its info (70002 bytes of JSON), the end's reason: with it " +
    "it is over the 65535 bytes Genesys takes",
  ]]);
  assert.equal((await s.transport.closed).initiator, "local");
  assert.deepEqual(await rest(s), [{ type: "end", reason: "disconnect" }]);
});

Deno.test("`GenesysSerializer`: a bot's own disconnect ends the session as an end does, with the output variables, and an end after it sends no second one", async () => {
  // Genesys Cloud resource center, "What happens during a successful session between Genesys
  // Cloud and your AudioHook server?": the interaction ends "at the server's request" with the
  // client's close transaction; AudioHook's `disconnect` reasons are completed, error and
  // unauthorized (the reference client's validators.ts, isDisconnectReason), and an `end` frame
  // says only `completed`. A bot's own `disconnect` is the session's end: it carries the output
  // variables, and the `end` after it must not send a second (a message after the close
  // transaction began is a protocol violation there).
  const s = session({ outputVariables: { intent: "billing" } });
  await opened(s);
  const disconnect = { type: "disconnect", parameters: { reason: "unauthorized", info: "pin" } };
  s.transport.send({ type: "message", message: disconnect });
  const ended = s.writer.write({ type: "end", reason: "bye" });
  await s.clock.runAll(5000);
  await ended;
  assert.deepEqual(kinds(s), ["opened", "disconnect", "closed"]);
  assert.deepEqual(parametersSeen(s)[0], {
    reason: "unauthorized",
    info: "pin",
    outputVariables: { intent: "billing" },
  });
  assert.deepEqual(s.client.violations, []);
  assert.equal(s.transport.stats.encodeErrors, 0);
  assert.deepEqual(s.errors, []);
  await s.transport.closed;
  assert.deepEqual(await rest(s), [{ type: "end", reason: "disconnect" }]);
});

Deno.test("`GenesysSerializer` refuses a bot's disconnect naming output variables, or once the session is ending", async () => {
  const s = session({ outputVariables: { intent: "billing" } });
  await opened(s);
  const withVariables = {
    type: "disconnect",
    parameters: { reason: "completed", outputVariables: { intent: "sales" } },
  };
  s.transport.send({ type: "message", message: withVariables });
  await s.clock.tick(50);
  assert.deepEqual(kinds(s), ["opened"], "the call goes on");
  s.transport.send({
    type: "message",
    message: { type: "disconnect", parameters: { reason: "error" } },
  });
  s.transport.send({
    type: "message",
    message: { type: "disconnect", parameters: { reason: "error" } },
  });
  await s.clock.tick(50);
  assert.deepEqual(kinds(s).filter((k) => k === "disconnect"), ["disconnect"]);
  assert.equal(s.transport.stats.encodeErrors, 2);
  assert.deepEqual(s.errors.map((e) => e.message), [
    "genesys: disconnect not sent: it takes reason and info, not outputVariables (output " +
    "variables are the serializer's: setOutputVariables)",
    "genesys: disconnect not sent: the session is ending",
  ]);
  await s.clock.runAll(5000);
  await s.transport.closed;
});

Deno.test("`GenesysSerializer`: a reply the caller hangs up on is counted dropped at the close, whole, and reports no error", async () => {
  // Genesys Cloud resource center, "What happens during a successful session between Genesys
  // Cloud and your AudioHook server?" (help.mypurecloud.com/faqs/what-happens-during-a-successful-
  // session-between-genesys-cloud-and-your-audiohook-server/): the client initiates the close
  // transaction when the interaction ends, and closes the socket once it is answered; until that
  // close reaches the transport, it paces the reply on: dropped, as at the close.
  for (const transport of [{}, { fixedAudioPacketSize: 1600 }]) {
    const s = audioConnectorSession({ client: { networkMs: 40 }, transport });
    s.client.open();
    await s.clock.tick(100);
    void s.transport.send(speech(1000));
    await s.clock.tick(300);
    s.client.send("close", { reason: "end" }); // the caller hung up
    await s.clock.runAll();
    assert.equal((await s.transport.closed).initiator, "remote");
    const stats = s.transport.stats;
    assert.equal(stats.audioBytesRefused, 0, JSON.stringify(transport));
    assert.ok(stats.audioBytesDroppedOnClose > 0);
    // Each of the reply's bytes counted once: sent, or dropped at the close.
    assert.equal(stats.audioBytesSent + stats.audioBytesDroppedOnClose, 16000);
    assert.deepEqual(s.errors, []);
  }
});

for (const how of ["the bot's own disconnect", "a breach's disconnect"]) {
  Deno.test(`\`GenesysSerializer\`: after ${how}, a client that never closes cannot hold the session open past closeTimeoutMs`, async () => {
    // AudioHook's closing sequence: the server's `disconnect` asks the client to end the session,
    // which it does with its close transaction (`close` → `closed`), then closes the socket
    // (developer.genesys.cloud, "AudioHook protocol": session closing). Here no `end` follows
    // that disconnect, so the transport waits for no close of its own: a client that never
    // answers it would hold the session (and the bot's read) open for ever.
    const s = session({}, { answersDisconnect: false });
    await opened(s);
    if (how === "a breach's disconnect") {
      // A message with the session's next seq but another session's id: a breach.
      s.pair.client.send(JSON.stringify({
        version: "2",
        type: "ping",
        seq: 2,
        serverseq: 1,
        id: "00000000-0000-0000-0000-00000000000f",
        position: "PT0S",
        parameters: {},
      }));
    } else {
      const disconnect = { type: "disconnect", parameters: { reason: "error", info: "pin" } };
      s.transport.send({ type: "message", message: disconnect });
    }
    await s.clock.tick(0);
    assert.deepEqual(kinds(s), ["opened", "disconnect"]);
    await s.clock.tick(999); // closeTimeoutMs (1000 here): the bound the transport sets after an `end`
    assert.equal(s.pair.server.readyState, 1, "still waiting for the client's close");
    await s.clock.tick(1);
    await s.clock.runAll(2000);
    const closed = await s.transport.closed;
    assert.equal(closed.code, 1000);
    assert.equal(closed.initiator, "local");
    const timeouts = s.errors.filter((e) => e.code === "timeout").map((e) => e.message);
    assert.equal(
      timeouts[0],
      "genesys: Genesys did not close the session within 1000 ms (closeTimeoutMs) of our " +
        "disconnect: closing it",
    );
    await rest(s);
    await s.clock.runAll();
    assert.equal(s.clock.pendingTimers, 0);
  });
}
