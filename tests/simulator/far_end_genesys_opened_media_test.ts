// `opened` must say which medium the server selected: `media`, a list of at most one of the media
// offered, empty to take none (AudioHook `OpenedParameters`: `media: MediaParameters`, required;
// purecloudlabs/audiohook-reference-implementation app/audiohook/src/protocol/validators.ts,
// `isOpenedParameters` requires `media` to pass `isMediaParameters`, a list of media objects). The
// reference client refuses an `opened` that fails it as no server message at all (its 500 and a
// close with reason `error`). The simulated Genesys took an `opened` without `media` as one that
// selected none, so a bot that left it out passed; and one whose list held `null` threw inside
// the far end (reported as `genesys.unreadable`, "Cannot read properties of null"), the session
// left waiting for an `opened` it had been sent.
import assert from "node:assert/strict";
import { openAudioHookSession } from "./_audiohook_session.ts";

for (
  const [what, parameters, shown] of [
    ["without media", {}, "missing"],
    ["whose media is no list", { media: "PCMU" }, '"PCMU"'],
    ["whose media list holds null", { media: [null] }, "[null]"],
  ] as const
) {
  Deno.test(`the Genesys far end reports an "opened" ${what}`, () => {
    const { rules, server } = openAudioHookSession();
    server("opened", { parameters });
    assert.deepEqual(rules, [
      `genesys.media: 500: an "opened" whose media is ${shown}, not a list of media objects: ` +
      "not an AudioHook server message",
    ]);
  });
}

Deno.test('the Genesys far end takes an "opened" that selects no medium', () => {
  const { rules, sent, server, clock } = openAudioHookSession();
  server("opened", { parameters: { media: [] } });
  assert.deepEqual(rules, []);
  // Open: its first ping goes 1 s later.
  return clock.tick(1000).then(() => assert.equal(sent.at(-1)!.type, "ping"));
});
