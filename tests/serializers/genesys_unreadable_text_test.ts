// A text message from Genesys that cannot be read as a client message at all: longer than the
// protocol takes, not JSON, or JSON that is no object. Genesys's reference server answers each as
// it answers a malformed envelope, a protocol breach: `disconnect` with reason "error" and an
// `info` saying what was wrong, after which the client runs its close transaction
// (purecloudlabs/audiohook-reference-implementation, server/serversessionimpl.ts, onTextMessage:
// `data.length > 65535` is "Text message too large (>64K)", a failed `JSON.parse` "Text message
// not valid JSON", and `isClientMessageBase` in protocol/validators.ts, which wants a JSON object,
// "Message not a well-formed client message", each through signalClientError). The serializer
// only counted and reported them, the session left to go on as if nothing were wrong. (The docs
// corpus holds no page of the AudioHook protocol reference, developer.genesys.cloud; the rule is
// Genesys's own reference implementation's.)
//
// The far end is the AudioHook client fixture (the reference client's behaviour: it answers
// `disconnect` with `close`, and closes the socket on `closed`); the unreadable text goes straight
// onto its socket, as a faulty client would send it.
import assert from "node:assert/strict";
import type { Frame } from "../../mod.ts";
import { sessionMeeting } from "./fixtures/audiohook_text_session.ts";
import { boundGenesys, openMessage, SESSION } from "./fixtures/genesys_open.ts";

/** The limit the reference server holds client text to, in UTF-16 units (a string's length). */
const MAX_CLIENT_TEXT = 65_535;

/**
 * A client message as the reference implementation's `ClientMessageBase` is (protocol/message.ts:
 * `version`, `id`, `type`, `seq`, `parameters`, and a client's `serverseq` and `position`).
 */
function clientMessage(type: string, seq: number, parameters: Record<string, unknown>): string {
  return JSON.stringify({
    version: "2",
    id: SESSION,
    type,
    seq,
    serverseq: 1,
    position: "PT1S",
    parameters,
  });
}

/**
 * An `update` (the reference's `UpdateParameters`: a `language`, here en-US) of exactly `length`
 * UTF-16 units, padded with `char` (one unit each) in a field of its own to reach it: the
 * reference's validators leave fields they do not name free (validators.ts, `makeValidator`).
 */
function updateOfLength(seq: number, length: number, char = "a"): string {
  const bare = clientMessage("update", seq, { language: "en-US", padding: "" });
  const text = clientMessage("update", seq, {
    language: "en-US",
    padding: char.repeat(length - bare.length),
  });
  assert.equal(text.length, length);
  return text;
}

const unreadable: [string, string, string][] = [
  [
    "a text over 65,535 characters",
    updateOfLength(2, MAX_CLIENT_TEXT + 1),
    `Text message too large: ${MAX_CLIENT_TEXT + 1} characters, over ${MAX_CLIENT_TEXT}`,
  ],
  [
    "a text that is not JSON",
    '{"version":"2","type":"ping"',
    'Text message not valid JSON: "{\\"version\\":\\"2\\",\\"type\\":\\"ping\\""',
  ],
  ["JSON that is no object", "[1,2]", "Text message not a JSON object: [1,2]"],
];

for (const [what, text, info] of unreadable) {
  Deno.test(`Genesys: ${what} asks Genesys to end the session (disconnect, reason error)`, async () => {
    const s = await sessionMeeting(text);
    // Worded as the reference server words a client's fault (signalClientError).
    assert.deepEqual(s.disconnects, [{ reason: "error", info: `Client Error: ${info}` }]);
    // The client's close transaction answers it, and the session ends as AudioHook ends it.
    assert.deepEqual(s.seen, ["opened", "disconnect", "closed"]);
    assert.deepEqual(s.client.violations, []);
    assert.ok(s.clock.now() < 1000, "by the client's close, not on closeTimeoutMs");
    // Not acted on: nothing of it reached the bot; counted and reported once, as a decode error.
    assert.deepEqual(s.after, [{ type: "end", reason: "disconnect" }]);
    assert.equal(s.transport.stats.decodeErrors, 1);
    assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [["decode", `genesys: ${info}`]]);
  });
}

Deno.test("Genesys: a text of 65,535 characters is taken, however many UTF-8 bytes it is", () => {
  // The reference server counts a text's `length` (UTF-16 units), so it takes a message of 65,535
  // of them even when its UTF-8 bytes are three times as many: refused here, a message Genesys may
  // send would end the session.
  for (const char of ["a", "€"]) {
    const { genesys, sent, reported } = boundGenesys();
    genesys.deserialize(openMessage());
    sent.length = 0;
    const update = updateOfLength(2, MAX_CLIENT_TEXT, char);
    const frame = genesys.deserialize(update) as Frame;
    assert.equal(frame.type === "message" && (frame.message as { type: string }).type, "update");
    assert.deepEqual(sent, [], `${char}: nothing sent, no disconnect`);
    assert.deepEqual(reported, [], char);
  }
});
