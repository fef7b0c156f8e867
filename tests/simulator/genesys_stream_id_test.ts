// Genesys names every AudioHook session, and its conversation, by a UUID (the reference implementation's `isMessageBase`
// requires `uuidRegex`, protocol/validators.ts), and the serializer refuses an `open` with any
// other id: the simulator refuses such a `platform.streamId` for Genesys at once, naming it,
// rather than playing a call the bot's serializer ends at its first message.
import assert from "node:assert/strict";
import { GenesysFarEnd } from "../../src/simulator/far_ends/genesys.ts";

Deno.test("the Genesys far end takes a UUID as its session id, and refuses anything else by name", () => {
  for (const streamId of ["s1", "MZ18ad3ab5a668481ce02b83e7395059f0", "not-a-uuid-at-all"]) {
    assert.throws(
      () => new GenesysFarEnd({ streamId }),
      (error: unknown) =>
        error instanceof RangeError && error.message.includes("UUID") &&
        error.message.includes(JSON.stringify(streamId)),
    );
  }
  new GenesysFarEnd({ streamId: "e160e428-53e2-487c-977d-96989bf5c99d" });
  new GenesysFarEnd({});
});

Deno.test("the Genesys far end takes a UUID as its conversation id, and refuses anything else by name", () => {
  // `platform.callId` is the open's `conversationId`: `isOpenParameters` requires a UUID there.
  for (const callId of ["C1", "CA5f2e8a9d6c1b4e7f", ""]) {
    assert.throws(
      () => new GenesysFarEnd({ callId }),
      (error: unknown) =>
        error instanceof RangeError && error.message.includes("conversation id") &&
        error.message.includes(JSON.stringify(callId)),
    );
  }
  new GenesysFarEnd({ callId: "090eaa2f-72fa-480a-83e0-8667ff89c0ec" });
});
