// An AudioHook `open` whose PCMU offer breaks the protocol. A `MediaParameter` is
// `{ type: "audio", format: "PCMU" | "L16", channels, rate }` with `rate` 8000, the only rate the
// protocol defines, and `channels` a list of one or two of "external" and "internal"
// (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/protocol/core.ts,
// `MediaRate`, `MediaChannels`; validators.ts, `isMediaRate`, `isMediaChannels`; Genesys's own
// "AudioHook protocol" pages on developer.genesys.cloud are not in the searchable docs). Such an
// offer is refused as before, with `disconnect` (reason `error`), but its `info` (what Genesys
// logs for the admin) and the reported error named the serializer's `channel` option, which the
// user had not got wrong: an offer of the wanted channel among three, or of no channel at all, is
// the client's fault, and no channel option could have made it fit.
import assert from "node:assert/strict";
import type { AudioHookClient } from "./fixtures/audiohook_client.ts";
import { openedAudioHookMedia, refusedAudioHookOpen } from "./fixtures/audiohook_session.ts";

const kinds = (client: AudioHookClient) =>
  client.seen.map((m) => ("binary" in m ? "binary" : m.type));

const PCMU = { type: "audio", format: "PCMU" } as const;
const PCMU_EXTERNAL = { ...PCMU, channels: ["external"], rate: 8000 };

const CHANNELS = `not one or two of "external" and "internal"`;

for (
  const [what, offer, fault] of [
    [
      "a third, unknown channel",
      { ...PCMU, channels: ["external", "internal", "x"], rate: 8000 },
      `channels ["external","internal","x"], ${CHANNELS}`,
    ],
    ["no channel", { ...PCMU, channels: [], rate: 8000 }, `channels [], ${CHANNELS}`],
    [
      "channels that are no list",
      { ...PCMU, channels: "external", rate: 8000 },
      `channels "external", ${CHANNELS}`,
    ],
    ["a rate of 16000", { ...PCMU, channels: ["external"], rate: 16000 }, "rate 16000, not 8000"],
    [
      "no rate and one unknown channel",
      { ...PCMU, channels: ["caller"] },
      `rate none, not 8000 and channels ["caller"], ${CHANNELS}`,
    ],
  ] as const
) {
  Deno.test(`\`GenesysSerializer\` refuses a PCMU offer with ${what}, naming the offer's fault, not the channel option`, async () => {
    const s = await refusedAudioHookOpen([offer]);
    // Answered as before: `disconnect`, then the client's close transaction.
    assert.deepEqual(kinds(s.client), ["disconnect", "closed"]);
    const reason = `no well-formed PCMU media offered: the PCMU offer has ${fault}`;
    assert.deepEqual(s.disconnects, [{ reason: "error", info: `Client Error: ${reason}` }]);
    assert.deepEqual(s.client.violations, []);
    assert.deepEqual(s.frames, [{ type: "end", reason: "disconnect" }]);
    assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
    assert.ok(
      s.errors[0]!.message.startsWith(`genesys: open refused, ${reason}: `),
      s.errors[0]!.message,
    );
    assert.doesNotMatch(s.errors[0]!.message, /channel option/);
  });
}

Deno.test("`GenesysSerializer` set to the internal channel blames a malformed offer, not its option, and counts the other malformed ones", async () => {
  const s = await refusedAudioHookOpen([
    { ...PCMU, channels: ["external", "x"], rate: 8000 },
    { ...PCMU, channels: ["internal"], rate: 44100 },
  ], { channel: "internal" });
  assert.deepEqual(kinds(s.client), ["disconnect", "closed"]);
  assert.deepEqual(s.disconnects, [{
    reason: "error",
    info: `Client Error: no well-formed PCMU media offered: the first PCMU offer has channels ` +
      `["external","x"], ` +
      `${CHANNELS} (and 1 more malformed PCMU offer)`,
  }]);
});

Deno.test("`GenesysSerializer` still names its channel option when a well-formed PCMU offer lacks that channel beside a malformed one", async () => {
  // The well-formed external-only offer would have been taken with the default channel.
  const s = await refusedAudioHookOpen([
    { ...PCMU, channels: ["internal", "x"], rate: 8000 },
    PCMU_EXTERNAL,
  ], { channel: "internal" });
  assert.deepEqual(s.disconnects, [{
    reason: "error",
    info:
      "Client Error: no PCMU 8000 Hz media of the internal channel offered (the channel option)",
  }]);
});

Deno.test("`GenesysSerializer` opens with the well-formed PCMU offer beside a malformed one, as before", async () => {
  const s = await openedAudioHookMedia([{
    ...PCMU,
    channels: ["external", "internal", "x"],
    rate: 8000,
  }, PCMU_EXTERNAL]);
  assert.equal(s.first?.type, "start");
  assert.deepEqual(s.opened, {
    type: "opened",
    seq: 1,
    parameters: { startPaused: false, media: [PCMU_EXTERNAL] },
  });
});
