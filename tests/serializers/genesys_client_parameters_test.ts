// What Genesys's reference AudioHook server refuses in a client message that our serializer took:
// parameters a type the protocol defines must hold, a malformed message's `seq`, and the wording
// of the `disconnect` that answers a client's fault. The far end here is Genesys as the reference
// server sees it (purecloudlabs/audiohook-reference-implementation):
// - app/audiohook/src/protocol/validators.ts, `clientMessageChecker`: `close` needs a `reason`
//   among end, disconnect, error, reconnect (`isCloseParameters`: ours answers such a close all
//   the same, below); `discarded` and `resumed` a
//   `start` and a `discarded` duration (`isDiscardedParameters`, `isResumedParameters`); `error`
//   a `code` from 400 to 9999 and a `message`, a `retryAfter` duration when present
//   (`isErrorParameters`, `isErrorCode`); `ping` an `rtt` duration when present
//   (`isPingParameters`); `update` a language code (`isUpdateParameters`, `languageCodeRegex`);
//   fields a validator does not name are free (`makeValidator`);
// - app/audiohook/src/server/serversessionimpl.ts, onTextMessage: a message that fails
//   `isClientMessageBase` is refused before its `seq` is taken ("Message not a well-formed client
//   message"); one of a known type whose parameters fail is refused after ("Invalid Message:
//   Invalid/missing parameters"); each through signalClientError, a `disconnect` with reason
//   `error` whose `info` begins "Client Error: ".
// Where the Audio Connector, the other Genesys client served, says otherwise, it wins: its
// `UpdateParameters.language` is optional (GenesysCloudBlueprints/
// audioconnector-server-reference-implementation, src/protocol/message.ts), and its own types
// (`dtmf`, `playback_started`, `playback_completed`, src/protocol/voice-bots.ts) are no breach.
// Genesys's "AudioHook protocol" pages (developer.genesys.cloud) are not in the searchable docs.
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import { boundGenesys, openMessage, SESSION } from "./fixtures/genesys_open.ts";

/** A client message of this session, `seq` 2 unless told, acknowledging our `opened`. */
function client(type: string, parameters: unknown, fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    version: "2",
    id: SESSION,
    type,
    seq: 2,
    serverseq: 1,
    position: "PT1S",
    parameters,
    ...fields,
  });
}

/** A serializer whose session is open (`opened` sent, then forgotten). */
function openSession() {
  const session = boundGenesys();
  session.genesys.deserialize(openMessage());
  session.sent.length = 0;
  return session;
}

const sentMessages = (sent: unknown[]) => sent.map((m) => JSON.parse(m as string));

const refused: [string, string, unknown, string][] = [
  [
    "a resumed without start",
    "resumed",
    { discarded: "PT0S" },
    "Invalid resumed parameters: start missing",
  ],
  [
    "a resumed whose discarded is no duration",
    "resumed",
    { start: "PT1S", discarded: 0.5 },
    "Invalid resumed parameters: discarded 0.5 not a duration",
  ],
  [
    "a discarded without its durations",
    "discarded",
    {},
    "Invalid discarded parameters: start missing",
  ],
  [
    "an error without a code",
    "error",
    { message: "oops" },
    "Invalid error parameters: code missing",
  ],
  [
    "an error whose code is no error code",
    "error",
    { code: 200, message: "OK" },
    "Invalid error parameters: code 200 not an error code (a whole number from 400 to 9999)",
  ],
  [
    "an error without a message",
    "error",
    { code: 500 },
    "Invalid error parameters: message missing",
  ],
  [
    "an error whose retryAfter is no duration",
    "error",
    { code: 429, message: "Too many", retryAfter: 5 },
    "Invalid error parameters: retryAfter 5 not a duration",
  ],
  [
    "a ping whose rtt is no duration",
    "ping",
    { rtt: "12ms" },
    'Invalid ping parameters: rtt "12ms" not a duration',
  ],
  [
    "an update whose language is no language code",
    "update",
    { language: "English" },
    'Invalid update parameters: language "English" not a language code (such as en-US)',
  ],
];

for (const [what, type, parameters, info] of refused) {
  Deno.test(`Genesys: ${what} asks Genesys to end the session, not acted on`, () => {
    const { genesys, sent, reported, counted } = openSession();
    assert.throws(
      () => genesys.deserialize(client(type, parameters)),
      (e) => e instanceof TransportError && e.code === "decode" && e.message === `genesys: ${info}`,
    );
    // The `disconnect` acknowledges the message (`clientseq` 2): the reference takes a
    // well-formed message's `seq` before it checks its parameters.
    assert.deepEqual(sentMessages(sent), [{
      version: "2",
      type: "disconnect",
      seq: 2,
      clientseq: 2,
      id: SESSION,
      parameters: { reason: "error", info: `Client Error: ${info}` },
    }], "no pong, no closed: only the breach's disconnect");
    assert.equal(genesys.peerCloses, true);
    // Not acted on: an error is not reported as Genesys's.
    assert.deepEqual(reported, []);
    assert.equal(counted.decodeErrors, undefined, "the transport counts the thrown decode error");
  });
}

Deno.test("Genesys: parameters the reference takes are taken, with fields it does not name", () => {
  const taken: [string, Record<string, unknown>][] = [
    ["ping", {}],
    ["ping", { rtt: "PT0.05S" }],
    ["paused", { why: "hold" }],
    ["resumed", { start: "PT1S", discarded: "PT.5S" }],
    ["discarded", { start: "PT1S", discarded: "PT0.2S" }],
    ["update", { language: "fr-FR" }],
    // BCP 47 tags wider than the reference's pattern: ours takes them (a call is not ended over one).
    ["update", { language: "es-419" }],
    ["update", { language: "zh-Hant-TW" }],
    // The Audio Connector's `update` may leave its language out (its `UpdateParameters`).
    ["update", {}],
    ["error", { code: 429, message: "Too many requests", retryAfter: "PT2S" }],
  ];
  for (const [type, parameters] of taken) {
    const { genesys, sent } = openSession();
    const frames = genesys.deserialize(client(type, parameters));
    assert.equal(sentMessages(sent).some((m) => m.type === "disconnect"), false, type);
    if (type === "ping") assert.deepEqual(sentMessages(sent).map((m) => m.type), ["pong"]);
    if (type === "update" || type === "error" || type === "discarded") {
      assert.equal((frames as { type: string }).type, "message", type);
    }
  }
});

Deno.test("Genesys: the Audio Connector's own types are not checked as the reference's", () => {
  // Unknown to the reference server (it refuses them, "not a supported client message"), sent by
  // the Audio Connector: read as before, their parameters the serializer's business.
  for (const type of ["playback_started", "playback_completed", "audio_connector_news"]) {
    const { genesys, sent } = openSession();
    genesys.deserialize(client(type, { anything: [1, 2] }));
    assert.deepEqual(sent, [], type);
  }
  const { genesys, sent } = openSession();
  assert.deepEqual(genesys.deserialize(client("dtmf", { digit: "5" })), {
    type: "dtmf",
    digit: "5",
  });
  assert.deepEqual(sent, []);
});

Deno.test("Genesys: a malformed message's seq is not taken: the disconnect acknowledges the last message taken", () => {
  // The reference checks a message's shape (isClientMessageBase) before it compares and takes its
  // `seq` (onTextMessage): a message without `position` leaves `clientseq` at the open's 1, so
  // the next well-formed message Genesys numbers 2 is taken, and its `pong` acknowledges it.
  // The serializer took the malformed message's 2, and refused that next message as a replay.
  const { genesys, sent } = openSession();
  assert.throws(
    () => genesys.deserialize(client("ping", {}, { position: undefined })),
    /Missing position/,
  );
  assert.throws(
    () => genesys.deserialize(client("ping", {}, { version: "1" })),
    /version is not "2"/,
  );
  genesys.deserialize(client("ping", {}));
  assert.deepEqual(
    sentMessages(sent).map((m) => [m.type, m.seq, m.clientseq]),
    [["disconnect", 2, 1], ["pong", 3, 2]],
  );
  // And its number still moves on from there, one at a time: a replay is not read, the next
  // number is. The numbering back in step (the ping's 2 taken), the replay is a fault of
  // Genesys's own, a decode error, not a message out of step through our refusal of the one
  // before it (those are counted as after the session's end: genesys_after_breach_test.ts).
  assert.throws(
    () => genesys.deserialize(client("ping", {}, { seq: 2 })),
    /Invalid seq value 2, expected 3/,
  );
  assert.deepEqual(sentMessages(sent).at(-1)?.clientseq, 2, "no pong for the replay");
  genesys.deserialize(client("ping", {}, { seq: 3 }));
  assert.deepEqual(sentMessages(sent).at(-1)?.clientseq, 3);
});

// Unlike the reference, a close whose `reason` is missing or unknown is answered: Genesys has sent
// its close and waits for our `closed` (its client's close timeout, then error 408), so a breach's
// `disconnect` would be answered by nothing and the call would end only at `closeTimeoutMs`.
for (
  const [what, parameters, info] of [
    ["without a reason", {}, "Invalid close parameters: reason missing"],
    [
      "with a reason the protocol lacks",
      { reason: "bye" },
      'Invalid close parameters: reason "bye" not one of disconnect, end, error, reconnect',
    ],
  ] as const
) {
  Deno.test(`Genesys: a close ${what} is answered with closed, its fault reported`, () => {
    const { genesys, sent, reported, counted } = openSession();
    const frames = [genesys.deserialize(client("close", parameters))].flat();
    assert.deepEqual(sentMessages(sent), [{
      version: "2",
      type: "closed",
      seq: 2,
      clientseq: 2,
      id: SESSION,
      parameters: {},
    }]);
    assert.equal(frames.at(-1)?.type, "end", "the bot's end frame");
    assert.equal(counted.decodeErrors, 1);
    assert.deepEqual(
      reported.map((e) => (e as TransportError).message),
      [`genesys: ${info} (in Genesys's close, answered all the same)`],
    );
  });
}
