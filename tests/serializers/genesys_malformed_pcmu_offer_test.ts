// An AudioHook `open` whose media offers break the protocol. A `MediaParameter` is
// `{ type: "audio", format: "PCMU" | "L16", channels, rate }` with `rate` 8000, the only rate the
// protocol defines, and `channels` a list of one or two of "external" and "internal"
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/protocol/core.ts,
// `MediaRate`, `MediaChannels`; validators.ts, `isMediaParameter`, and `isMediaParameters`, which
// holds every entry of the list to it; Genesys's own "AudioHook protocol" pages on
// developer.genesys.cloud are not in the searchable docs). The reference server refuses an open
// with any such offer before its open transaction begins: `disconnect`, reason `error`, "Invalid
// Message: Invalid/missing parameters" (server/serversessionimpl.ts, onTextMessage). The
// serializer refuses an offer of the wrong shape so (its `info`, what Genesys logs for the admin,
// naming the offer and the field, never the serializer's `channel` option, which the user had not
// got wrong); one well formed but of a value the protocol does not define today (a rate of 16000,
// a channel it does not name) it passes over, as one it does not take: a value Genesys may add
// must not refuse calls (see src/serializers/_genesys_open_parameters.ts).
import assert from "node:assert/strict";
import type { AudioHookClient } from "./fixtures/audiohook_client.ts";
import { refusedAudioHookOpen } from "./fixtures/audiohook_session.ts";

const kinds = (client: AudioHookClient) =>
  client.seen.map((m) => ("binary" in m ? "binary" : m.type));

const PCMU = { type: "audio", format: "PCMU" } as const;
const PCMU_EXTERNAL = { ...PCMU, channels: ["external"], rate: 8000 };

const CHANNELS = "not a list of one or two channel names";

for (
  const [what, offer, fault] of [
    [
      "a third channel",
      { ...PCMU, channels: ["external", "internal", "x"], rate: 8000 },
      `media[0].channels ["external","internal","x"] ${CHANNELS}`,
    ],
    ["no channel", { ...PCMU, channels: [], rate: 8000 }, `media[0].channels [] ${CHANNELS}`],
    [
      "channels that are no list",
      { ...PCMU, channels: "external", rate: 8000 },
      `media[0].channels "external" ${CHANNELS}`,
    ],
    [
      "a rate that is no number",
      { ...PCMU, channels: ["external"], rate: "8000" },
      'media[0].rate "8000" not a number',
    ],
    ["no rate", { ...PCMU, channels: ["external"] }, "media[0].rate missing"],
  ] as const
) {
  Deno.test(`\`GenesysSerializer\` refuses an open whose PCMU offer has ${what}, naming the offer's field, not the channel option`, async () => {
    const s = await refusedAudioHookOpen([offer]);
    // Answered as before: `disconnect`, then the client's close transaction.
    assert.deepEqual(kinds(s.client), ["disconnect", "closed"]);
    const reason = `Invalid open parameters: ${fault}`;
    assert.deepEqual(s.disconnects, [{ reason: "error", info: `Client Error: ${reason}` }]);
    assert.deepEqual(s.client.violations, []);
    assert.deepEqual(s.frames, [{ type: "end", reason: "disconnect" }]);
    assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
    assert.equal(s.errors[0]!.message, `genesys: ${reason}`);
  });
}

for (
  const [what, offer] of [
    ["a rate of 16000", { ...PCMU, channels: ["external"], rate: 16000 }],
    ["a channel AudioHook does not name", { ...PCMU, channels: ["external", "x"], rate: 8000 }],
  ] as const
) {
  Deno.test(`\`GenesysSerializer\` passes over a PCMU offer with ${what}: no media it takes, not a breach`, async () => {
    const s = await refusedAudioHookOpen([offer]);
    assert.deepEqual(kinds(s.client), ["disconnect", "closed"]);
    assert.deepEqual(s.disconnects, [{
      reason: "error",
      info: "Client Error: no PCMU 8000 Hz media offered",
    }]);
    assert.deepEqual(s.frames, [{ type: "end", reason: "disconnect" }]);
  });
}

Deno.test("`GenesysSerializer` refuses an open with a malformed offer beside a well-formed one, as the reference server does", async () => {
  // Was: opened with the well-formed offer, the malformed one passed over. The reference's
  // `isMediaParameters` holds every entry: a client that offers one of the wrong shape breaks
  // the protocol, whatever else it offers.
  const s = await refusedAudioHookOpen([PCMU_EXTERNAL, { ...PCMU, channels: [], rate: 8000 }]);
  assert.deepEqual(kinds(s.client), ["disconnect", "closed"]);
  assert.deepEqual(s.disconnects, [{
    reason: "error",
    info: `Client Error: Invalid open parameters: media[1].channels [] ${CHANNELS}`,
  }]);
  assert.deepEqual(s.frames, [{ type: "end", reason: "disconnect" }]);
});

Deno.test("`GenesysSerializer` still names its channel option when a well-formed PCMU offer lacks that channel", async () => {
  const s = await refusedAudioHookOpen([PCMU_EXTERNAL], { channel: "internal" });
  assert.deepEqual(s.disconnects, [{
    reason: "error",
    info:
      "Client Error: no PCMU 8000 Hz media of the internal channel offered (the channel option)",
  }]);
});
