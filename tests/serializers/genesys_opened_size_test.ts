// `opened` carries the whole `supportedLanguages` option whenever Genesys's `open` asks for it
// (`supportedLanguages: true`), and Genesys takes no text message over 65,535 characters: its
// reference client answers one with a fatal error 413, "Message too large", and ends the session
// (purecloudlabs/audiohook-reference-implementation, client/clientsessionimpl.ts, onTextMessage).
// A list that long could never be announced, so it is refused as the serializer is made, at the
// exact bound: the longest list taken still makes an `opened` Genesys takes.
import assert from "node:assert/strict";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";

/** The largest text message Genesys's reference client takes (`data.length > 65535` is 413). */
const GENESYS_MAX_TEXT = 65_535;

function languages(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `l${i}-US`);
}

/** The `opened` a serializer with `supportedLanguages` answers a stereo `open` asking for them. */
function opened(supportedLanguages: string[]): string {
  const sent: string[] = [];
  const serializer = new GenesysSerializer({ supportedLanguages });
  serializer.bind({
    send: (message) => sent.push(message as string),
    count: () => {},
    report: () => {},
  });
  serializer.setup({
    inputSampleRate: 8000,
    inputChannels: 1,
    outputSampleRate: 8000,
    outputChannels: 1,
  });
  serializer.deserialize(JSON.stringify({
    version: "2",
    type: "open",
    seq: 1,
    serverseq: 0,
    id: "e160e428-53e2-487c-977d-96989bf5c99d",
    position: "PT0S",
    parameters: {
      organizationId: "d7934305-0972-4844-938e-9060eef73d05",
      conversationId: "090eaa2f-72fa-480a-83e0-8667ff89c0ec",
      participant: { id: "883efee8-3d6c-4537-b500-6d7ca4b92fa0", ani: "", aniName: "", dnis: "" },
      // Stereo only: the longest offer `opened` can echo.
      media: [{ type: "audio", format: "PCMU", channels: ["external", "internal"], rate: 8000 }],
      supportedLanguages: true,
    },
  }));
  assert.equal(sent.length, 1);
  assert.equal(JSON.parse(sent[0]!).type, "opened");
  return sent[0]!;
}

Deno.test("Genesys: supportedLanguages too long for opened are a RangeError naming them", () => {
  assert.throws(
    () => new GenesysSerializer({ supportedLanguages: languages(10_000) }),
    (error: unknown) => error instanceof RangeError && /supportedLanguages/.test(error.message),
  );
});

Deno.test("Genesys: the longest supportedLanguages taken make an opened Genesys takes", () => {
  // The largest count the constructor takes (binary search between one that fits and one that
  // does not), and its opened measured against Genesys's bound: taken, and tight.
  let fits = 0;
  let tooMany = 10_000;
  while (tooMany - fits > 1) {
    const middle = Math.floor((fits + tooMany) / 2);
    try {
      new GenesysSerializer({ supportedLanguages: languages(middle) });
      fits = middle;
    } catch {
      tooMany = middle;
    }
  }
  const longest = opened(languages(fits));
  assert.ok(longest.length <= GENESYS_MAX_TEXT, `${longest.length} characters`);
  assert.ok(longest.length > GENESYS_MAX_TEXT - 11, `${longest.length}: not the longest`);
});
