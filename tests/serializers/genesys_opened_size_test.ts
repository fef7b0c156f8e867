// `opened` carries the whole `supportedLanguages` option whenever Genesys's `open` asks for it
// (`supportedLanguages: true`), and Genesys takes no text message over 65,535 characters: its
// reference client answers one with a fatal error 413, "Message too large", and ends the session
// (purecloudlabs/audiohook-reference-implementation, client/clientsessionimpl.ts, onTextMessage).
// A list that long could never be announced, so it is refused as the serializer is made, at the
// exact bound: the longest list taken still makes an `opened` Genesys takes.
import assert from "node:assert/strict";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import {
  boundGenesys,
  GENESYS_MAX_TEXT,
  languages,
  longestSupportedLanguages,
  openMessage,
} from "./fixtures/genesys_open.ts";

/** The `opened` a serializer with `supportedLanguages` answers a stereo `open` asking for them. */
function opened(supportedLanguages: string[]): string {
  const { genesys, sent } = boundGenesys({ supportedLanguages });
  // Stereo only: the longest offer `opened` can echo.
  genesys.deserialize(
    openMessage({ channels: ["external", "internal"], supportedLanguages: true }),
  );
  assert.equal(sent.length, 1);
  assert.equal(JSON.parse(sent[0] as string).type, "opened");
  return sent[0] as string;
}

Deno.test("Genesys: supportedLanguages too long for opened are a RangeError naming them", () => {
  assert.throws(
    () => new GenesysSerializer({ supportedLanguages: languages(10_000) }),
    (error: unknown) => error instanceof RangeError && /supportedLanguages/.test(error.message),
  );
});

Deno.test("Genesys: the longest supportedLanguages taken make an opened Genesys takes", () => {
  // The largest count the constructor takes, and its opened measured against Genesys's bound:
  // taken, and tight.
  const longest = opened(longestSupportedLanguages());
  assert.ok(longest.length <= GENESYS_MAX_TEXT, `${longest.length} characters`);
  assert.ok(longest.length > GENESYS_MAX_TEXT - 11, `${longest.length}: not the longest`);
});
