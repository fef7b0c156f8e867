// Genesys limits the server's binary messages by their number, whatever their size: "the allowed
// average rate per second of inbound binary data" (`global.inbound.binary.average.rate.per.second`)
// is 5 and "the maximum number of inbound binary data messages that can be sent instantaneously"
// (`global.inbound.binary.max`) 25 (developer.genesys.cloud, Genesys Cloud limits, AudioHook
// section, as quoted in Rasa's Genesys Cloud Voice channel page, "Rate Limits"). Past them the
// client reports error 429 (AudioHook `error` message; `retryAfter` "used by client rate limiter
// (429)": GenesysCloudBlueprints/audioconnector-server-reference-implementation,
// src/protocol/message.ts) and ends the session, as its reference client follows each error it
// signals with a `close` of reason `error` (purecloudlabs/audiohook-reference-implementation,
// clientsessionimpl.ts, `signalFatalError`). The simulated Genesys played every message it was
// sent: a bot streaming 20 ms frames passed the simulator and was cut off live after its first
// second of speech.
import assert from "node:assert/strict";
import { GenesysFarEnd } from "../../src/simulator/far_ends/genesys.ts";
import type { EndCallOptions } from "../../src/simulator/far_end.ts";
import { IDLE_CONTEXT } from "../../src/simulator/_idle_context.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";

interface Sent {
  type: string;
  seq: number;
  id: string;
  parameters: Record<string, unknown>;
}

/**
 * An opened Genesys session, driven by hand: what it sent, reported, played, and how it ended. The
 * bot answers each `ping` with its `pong` at once, as a server must.
 */
function openedSession() {
  const clock = new FakeClock();
  const sent: Sent[] = [];
  const rules: string[] = [];
  const notes: string[] = [];
  const ended: { by: string; reason: string; options: EndCallOptions | undefined }[] = [];
  let played = 0;
  const farEnd = new GenesysFarEnd({});
  farEnd.open({
    ...IDLE_CONTEXT,
    now: () => clock.now(),
    sleep: (ms) => clock.sleep(ms),
    send: (message) => {
      const parsed: Sent = JSON.parse(message as string);
      sent.push(parsed);
      if (parsed.type === "ping") queueMicrotask(() => server("pong", {}, parsed.seq));
    },
    violation: (rule, detail) => void rules.push(`${rule}: ${detail}`),
    note: (what) => void notes.push(what),
    play: () => void played++,
    endCall: (by, reason, options) => void ended.push({ by, reason, options }),
  });
  let seq = 0;
  function server(
    type: string,
    parameters: Record<string, unknown> = {},
    clientseq = sent.at(-1)!.seq,
  ) {
    farEnd.receive(JSON.stringify({
      version: "2",
      type,
      seq: ++seq,
      clientseq,
      id: sent[0]!.id,
      parameters,
    }));
  }
  server("opened", {
    media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
  });
  return { farEnd, clock, sent, rules, notes, ended, server, played: () => played };
}

Deno.test("Genesys takes 25 binary messages at once, and answers the 26th with error 429 and the end of the session", () => {
  const { farEnd, sent, rules, ended, played } = openedSession();
  for (let i = 0; i < 25; i++) farEnd.receive(new Uint8Array(160));
  assert.deepEqual(rules, []);
  assert.equal(played(), 25);
  farEnd.receive(new Uint8Array(160));
  assert.equal(played(), 25, "the message past the limit is not played");
  assert.deepEqual(rules, [
    "genesys.rate-limit: 429: binary message 26, 0 ms into the session, is past Genesys's limit " +
    "(5 a second on average, 25 at once): not played, and the session ends",
  ]);
  const error = sent.at(-1)!;
  assert.equal(error.type, "error");
  assert.equal(error.parameters.code, 429);
  // One message's worth of allowance comes back in 200 ms.
  assert.equal(error.parameters.retryAfter, "PT0.2S");
  assert.equal(ended.length, 1);
  assert.equal(ended[0]!.by, "caller");
  assert.equal(ended[0]!.options?.brokenRule, "genesys.rate-limit");
});

Deno.test("Genesys takes a bot's binary messages at 5 a second for as long as it sends them", async () => {
  const { farEnd, clock, rules, ended, played } = openedSession();
  // 200 ms messages (1,600 bytes of PCMU) for a minute, after a burst of 25 at the start.
  for (let i = 0; i < 25; i++) farEnd.receive(new Uint8Array(1600));
  for (let i = 0; i < 300; i++) {
    await clock.tick(200);
    farEnd.receive(new Uint8Array(1600));
  }
  assert.deepEqual(rules, []);
  assert.deepEqual(ended, []);
  assert.equal(played(), 325);
});

Deno.test("Genesys cuts off a bot that streams 20 ms messages once its burst of 25 is spent", async () => {
  const { farEnd, clock, rules, ended, played } = openedSession();
  // 50 a second: the allowance falls by 0.9 a message, from 25: the 28th finds less than one.
  for (let i = 0; i < 28; i++) {
    if (i > 0) await clock.tick(20);
    farEnd.receive(new Uint8Array(160));
  }
  assert.equal(played(), 27);
  assert.equal(rules.length, 1);
  assert.match(rules[0]!, /^genesys\.rate-limit: 429: binary message 28, 540 ms into the session/);
  assert.equal(ended[0]?.options?.brokenRule, "genesys.rate-limit");
});

Deno.test("after its 429 Genesys plays none of the bot's audio, and takes what comes within a round trip of its close as in flight", async () => {
  const { farEnd, clock, sent, rules, notes, server, played } = openedSession();
  for (let i = 0; i < 26; i++) farEnd.receive(new Uint8Array(160));
  rules.length = 0;
  // The bot's audio already on its way when the 429 left, before the simulator hangs up.
  farEnd.receive(new Uint8Array(160));
  const hungUp = farEnd.hangUp();
  const close = sent.at(-1)!;
  assert.equal(close.type, "close");
  assert.deepEqual(close.parameters, { reason: "error" });
  await clock.tick(100);
  farEnd.receive(new Uint8Array(160));
  server("closed");
  await hungUp;
  assert.equal(played(), 25);
  assert.deepEqual(rules, []);
  assert.deepEqual(notes, [
    "genesys audio after its 429, not played",
    "genesys audio in flight at close, not played",
  ]);
});
