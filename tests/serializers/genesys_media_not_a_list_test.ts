// An AudioHook `open` whose `media` is no list of offers. The protocol's `OpenParameters` has
// `media: MediaParameters`, a list (possibly empty) of `MediaParameter`s
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/protocol/core.ts;
// validators.ts: `isOpenParameters` requires `media`, `isMediaParameters` takes an array only):
// one offer sent bare, not in a list, or none at all, breaks the protocol. It is refused as the
// reference server refuses an open whose parameters fail (`disconnect`, reason `error`), its
// `info` (what Genesys logs for the admin) naming the field, not a format the client may well
// have offered in the wrong shape.
import assert from "node:assert/strict";
import { refusedAudioHookOpen } from "./fixtures/audiohook_session.ts";
import { openParametersFault } from "../../src/serializers/_genesys_open_parameters.ts";

const PCMU_EXTERNAL = { type: "audio", format: "PCMU", channels: ["external"], rate: 8000 };

Deno.test("`GenesysSerializer` refusing an open whose media is one offer, not a list of them, names that, not the format", async () => {
  const s = await refusedAudioHookOpen(PCMU_EXTERNAL as unknown as unknown[]);
  const info = 'Invalid open parameters: media {"type":"audio","format":"PCMU","channels":' +
    '["external"],"... not a list';
  assert.deepEqual(s.disconnects, [{ reason: "error", info: `Client Error: ${info}` }]);
  assert.deepEqual(s.client.violations, []);
  assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
  assert.equal(s.errors[0]!.message, `genesys: ${info}`);
  assert.deepEqual(s.frames, [{ type: "end", reason: "disconnect" }]);
});

Deno.test("`openParametersFault` names media that is missing or no list, bounded however long it is", () => {
  const ids = {
    organizationId: "d7934305-0972-4844-938e-9060eef73d05",
    conversationId: "090eaa2f-72fa-480a-83e0-8667ff89c0ec",
    participant: { id: "883efee8-3d6c-4537-b500-6d7ca4b92fa0", ani: "", aniName: "", dnis: "" },
  };
  assert.equal(openParametersFault(ids), "Invalid open parameters: media missing");
  assert.equal(
    openParametersFault({ ...ids, media: "PCMU" }),
    'Invalid open parameters: media "PCMU" not a list',
  );
  // A huge value is shown cut (`describe`): the info stays far below AudioHook's 65,535 bytes.
  const huge = { offers: new Array(100_000).fill(PCMU_EXTERNAL) };
  assert.ok(openParametersFault({ ...ids, media: huge })!.length < 200);
  // A list, even an empty one, is a list: it passes, and is refused for offering nothing usable
  // (genesys_no_usable_media_test.ts).
  assert.equal(openParametersFault({ ...ids, media: [] }), undefined);
});
