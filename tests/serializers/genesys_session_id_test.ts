// Every AudioHook message's `id` is the session's UUID: Genesys's reference implementation types
// it `Uuid` on every message (purecloudlabs/audiohook-reference-implementation,
// protocol/message.ts, `MessageBase`), and `isMessageBase` (protocol/validators.ts) takes only
// an `id` that matches `uuidRegex` (8-4-4-4-12 hex digits, or the nil UUID). Its server answers a
// client message that fails that as "not a well-formed client message" with `disconnect` reason
// `error` (server/serversessionimpl.ts, onTextMessage), and its client answers a server message
// whose `id` is not a UUID with a fatal error 400 (client/clientsessionimpl.ts, onTextMessage):
// an `open` with such an id could never be answered in a way Genesys takes. Nor may our `opened`,
// which echoes the id, go over the 65,535 characters that client takes (`data.length > 65535`
// is a fatal error 413): the serializer's bound on `supportedLanguages` is measured with a UUID's
// length, so an id longer than a UUID would carry that `opened` past it.
// (The docs corpus holds no page of the AudioHook protocol reference; the rule is Genesys's own
// reference implementation's.)
import assert from "node:assert/strict";
import {
  boundGenesys,
  GENESYS_MAX_TEXT,
  longestSupportedLanguages,
  openMessage,
  SESSION,
} from "./fixtures/genesys_open.ts";

Deno.test("Genesys: an open whose id is no UUID is refused, never answered with opened", () => {
  // An open carrying an id of 70,000 characters is refused before its id is read: a text over
  // the 65,535 characters the reference server takes (serversessionimpl.ts, onTextMessage).
  const cases: [string, RegExp][] = [
    ["s1", /id is not a session UUID/],
    [`${SESSION}-extra`, /id is not a session UUID/],
    ["x".repeat(60_000), /id is not a session UUID/],
    ["x".repeat(70_000), /Text message too large/],
  ];
  for (const [id, refusal] of cases) {
    const { genesys, sent } = boundGenesys();
    assert.throws(
      () => genesys.deserialize(openMessage({ id, supportedLanguages: true })),
      (error: unknown) =>
        error instanceof Error && "code" in error && error.code === "decode" &&
        refusal.test(error.message),
      id.slice(0, 50),
    );
    // The session is asked to end, as the reference server ends it; no opened went out.
    const types = sent.map((message) => JSON.parse(message as string).type);
    assert.deepEqual(types, ["disconnect"], id.slice(0, 50));
    assert.ok((sent[0] as string).length <= GENESYS_MAX_TEXT);
    assert.equal(genesys.carriesAudio, false);
  }
});

Deno.test("Genesys: with the longest supportedLanguages taken, no open makes an opened over Genesys's bound", () => {
  // The longest list the constructor takes (as in genesys_opened_size_test.ts) ...
  const longest = longestSupportedLanguages();
  // ... and an open whose id is a UUID in capitals, which `uuidRegex` takes: opened fits.
  const { genesys, sent } = boundGenesys({ supportedLanguages: longest });
  genesys.deserialize(openMessage({ id: SESSION.toUpperCase(), supportedLanguages: true }));
  assert.equal(JSON.parse(sent[0] as string).type, "opened");
  assert.ok((sent[0] as string).length <= GENESYS_MAX_TEXT, `${(sent[0] as string).length}`);
  // An id a few characters longer than a UUID is the open that could carry opened past it:
  // refused (see the test above), and nothing sent is over the bound.
  const longer = boundGenesys({ supportedLanguages: longest });
  let refused = false;
  try {
    longer.genesys.deserialize(
      openMessage({ id: `${"e".repeat(20)}${SESSION}`, supportedLanguages: true }),
    );
  } catch {
    refused = true;
  }
  for (const message of longer.sent) {
    assert.ok((message as string).length <= GENESYS_MAX_TEXT, `${(message as string).length}`);
  }
  assert.ok(refused);
});
