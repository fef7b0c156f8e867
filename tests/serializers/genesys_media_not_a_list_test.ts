// An AudioHook `open` whose `media` is no list of offers. The protocol's `OpenParameters` has
// `media: MediaParameters`, a list (possibly empty) of `MediaParameter`s
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/protocol/core.ts;
// validators.ts: `isOpenParameters` requires `media`, `isMediaParameters` takes an array only):
// one offer sent bare, not in a list, breaks the protocol. It is refused as any open with nothing usable is
// (`disconnect`, reason `error`), but its `info` (what Genesys logs for the admin) said "no PCMU
// 8000 Hz media offered" of a client that had offered PCMU at 8 kHz, in the wrong shape: the
// client's fault is named, as a malformed PCMU offer's is (genesys_malformed_pcmu_offer_test.ts).
import assert from "node:assert/strict";
import { noMediaReason } from "../../src/serializers/_audiohook_open.ts";
import { refusedAudioHookOpen } from "./fixtures/audiohook_session.ts";

const PCMU_EXTERNAL = { type: "audio", format: "PCMU", channels: ["external"], rate: 8000 };

Deno.test("`GenesysSerializer` refusing an open whose media is one offer, not a list of them, names that, not the format", async () => {
  // Was: info "no PCMU 8000 Hz media offered", of an open that offered PCMU 8000 Hz.
  const s = await refusedAudioHookOpen(PCMU_EXTERNAL as unknown as unknown[]);
  const info = 'no media list offered: media is {"type":"audio","format":"PCMU","channels":' +
    '["external"],"..., not a list of offers';
  assert.deepEqual(s.disconnects, [{ reason: "error", info: `Client Error: ${info}` }]);
  assert.deepEqual(s.client.violations, []);
  assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
  assert.ok(s.errors[0]!.message.startsWith(`genesys: open refused, ${info}: `));
  assert.deepEqual(s.frames, [{ type: "end", reason: "disconnect" }]);
});

Deno.test("`noMediaReason` names media that is missing or no list, bounded however long it is", () => {
  assert.equal(noMediaReason(undefined, "external"), "no media list offered: the open has none");
  assert.equal(
    noMediaReason("PCMU", "external"),
    'no media list offered: media is "PCMU", not a list of offers',
  );
  // A huge value is shown cut (`describe`): the info stays far below AudioHook's 65,535 bytes.
  const huge = { offers: new Array(100_000).fill(PCMU_EXTERNAL) };
  assert.ok(noMediaReason(huge, "external").length < 200);
  // A list, even an empty one, is a list: told as before.
  assert.equal(noMediaReason([], "external"), "no PCMU 8000 Hz media offered");
});
