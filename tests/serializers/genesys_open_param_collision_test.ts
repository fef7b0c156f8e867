// The `start` frame's params for an AudioHook `open` whose `inputVariables` and `customConfig`
// carry entries named like the open's own fields. The open is built as the protocol defines it:
// `OpenParameters` (purecloudlabs/audiohook-reference-implementation,
// app/audiohook/src/protocol/message.ts) has `organizationId`, `conversationId`, `participant`
// (`Participant`: `id`, `ani`, `aniName`, `dnis`), `media`, an optional `language` and an optional
// `customConfig` (a `JsonObject`: the integration's, named as its admin likes); an Audio
// Connector's open also carries `inputVariables`, the Inputs of Architect's Call Audio Connector
// action, "name/value pairs" the flow author defines (help.mypurecloud.com, "Call Audio Connector
// action", Inputs). Nothing stops a flow from naming an input `language` or `ani`: the bot must
// still read Genesys's own values under those names, and still find the flow's.
// (The docs corpus holds no page of the AudioHook protocol reference; the fields are those of
// Genesys's own reference implementation.)
import assert from "node:assert/strict";
import { OPEN_FIELD_PARAMS, openStartFrame } from "../../src/serializers/_audiohook_open.ts";
import { boundGenesys, SESSION } from "./fixtures/genesys_open.ts";

const ORGANIZATION = "d7934305-0972-4844-938e-9060eef73d05";
const CONVERSATION = "090eaa2f-72fa-480a-83e0-8667ff89c0ec";
const PARTICIPANT = "883efee8-3d6c-4537-b500-6d7ca4b92fa0";

/** An Audio Connector's `open` (client message: `seq`, `serverseq`, `position`) with these maps. */
function openWith(
  maps: { inputVariables?: Record<string, unknown>; customConfig?: Record<string, unknown> },
  { withLanguage = true } = {},
): string {
  return JSON.stringify({
    version: "2",
    type: "open",
    seq: 1,
    serverseq: 0,
    id: SESSION,
    position: "PT0S",
    parameters: {
      organizationId: ORGANIZATION,
      conversationId: CONVERSATION,
      participant: {
        id: PARTICIPANT,
        ani: "tel:+13175550123",
        aniName: "John Doe",
        dnis: "tel:+18005550199",
      },
      media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
      ...(withLanguage ? { language: "en-US" } : {}),
      ...maps,
    },
  });
}

/** The `start` frame the serializer hands the bot for `open`. */
function startOf(open: string) {
  const { genesys } = boundGenesys();
  const frames = [genesys.deserialize(open)].flat();
  const start = frames.find((frame) => frame?.type === "start");
  assert.ok(start?.type === "start", JSON.stringify(frames));
  return start;
}

Deno.test("Genesys: a flow variable named like an open field never replaces the open's value, and stays reachable", () => {
  // Was: params.language "fr-FR", params.ani "the flow's ani", params.conversationId "c-1", ...
  // with Genesys's values gone.
  const inputVariables = {
    language: "fr-FR",
    ani: "the flow's ani",
    aniName: "Jane",
    dnis: "1234",
    conversationId: "c-1",
    organizationId: "o-1",
    participantId: "p-1",
    accountNumber: "42",
  };
  const start = startOf(openWith({ inputVariables }));
  assert.equal(start.callId, CONVERSATION);
  const params = start.params!;
  assert.equal(params.organizationId, ORGANIZATION);
  assert.equal(params.conversationId, CONVERSATION);
  assert.equal(params.participantId, PARTICIPANT);
  assert.equal(params.ani, "tel:+13175550123");
  assert.equal(params.aniName, "John Doe");
  assert.equal(params.dnis, "tel:+18005550199");
  assert.equal(params.language, "en-US");
  // Every flow variable is under its own key; one of a free name also as it was.
  for (const [name, value] of Object.entries(inputVariables)) {
    assert.equal(params[`inputVariables.${name}`], value, name);
  }
  assert.equal(params.accountNumber, "42");
});

Deno.test("Genesys: a customConfig entry named like an open field never replaces the open's value", () => {
  const start = startOf(openWith({ customConfig: { dnis: "+1", participantId: 7, tier: "gold" } }));
  assert.equal(start.params!.dnis, "tel:+18005550199");
  assert.equal(start.params!.participantId, PARTICIPANT);
  assert.equal(start.params!["customConfig.dnis"], "+1");
  assert.equal(start.params!["customConfig.participantId"], "7");
  assert.equal(start.params!.tier, "gold");
  assert.equal(start.params!["customConfig.tier"], "gold");
});

Deno.test("Genesys: an open without language leaves the name to no flow variable", () => {
  // `language` is optional in `OpenParameters`: a bot reading params.language must not take the
  // flow's variable for Genesys's language when the open has none.
  const start = startOf(
    openWith({ inputVariables: { language: "fr-FR" } }, { withLanguage: false }),
  );
  assert.equal(Object.hasOwn(start.params!, "language"), false, JSON.stringify(start.params));
  assert.equal(start.params!["inputVariables.language"], "fr-FR");
});

Deno.test("Genesys: an entry both maps carry keeps both, the flow's under the bare name", () => {
  const start = startOf(
    openWith({ customConfig: { greeting: "config" }, inputVariables: { greeting: "flow" } }),
  );
  assert.equal(start.params!.greeting, "flow");
  assert.equal(start.params!["inputVariables.greeting"], "flow");
  assert.equal(start.params!["customConfig.greeting"], "config");
});

Deno.test("Genesys: an entry named like another map's key is no stand-in for that map's entry", () => {
  // A flow variable literally named `customConfig.tier` must not read as the config's `tier`.
  const start = startOf(openWith({ inputVariables: { "customConfig.tier": "flow" } }));
  assert.equal(Object.hasOwn(start.params!, "customConfig.tier"), false);
  assert.equal(start.params!["inputVariables.customConfig.tier"], "flow");
});

Deno.test("`openStartFrame`: whatever the maps are named, the open's own fields hold the open's values", () => {
  // Every own-field name, in both maps at once.
  const clash = Object.fromEntries(OPEN_FIELD_PARAMS.map((name) => [name, `x-${name}`]));
  const start = openStartFrame(
    SESSION,
    JSON.parse(openWith({ inputVariables: clash, customConfig: clash })).parameters,
  );
  assert.deepEqual(
    OPEN_FIELD_PARAMS.map((name) => start.params![name]),
    [
      ORGANIZATION,
      CONVERSATION,
      PARTICIPANT,
      "tel:+13175550123",
      "John Doe",
      "tel:+18005550199",
      "en-US",
    ],
  );
  for (const name of OPEN_FIELD_PARAMS) {
    assert.equal(start.params![`inputVariables.${name}`], `x-${name}`);
    assert.equal(start.params![`customConfig.${name}`], `x-${name}`);
  }
});
