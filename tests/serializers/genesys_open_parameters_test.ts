// Genesys's `open` held to the protocol's own rules for its parameters: `isOpenParameters` and the
// validators it names (purecloudlabs/audiohook-reference-implementation, app/audiohook/src/
// protocol/validators.ts): `organizationId` and `conversationId` UUIDs, a `participant` with a
// UUID `id` and string `ani`, `aniName` and `dnis`, `media` a list of offers (each audio, PCMU or
// L16, 8000 Hz, one or two known channels), and, when present, `language` a language code,
// `supportedLanguages` a boolean, `continuedSessions` a list of `{ id, clientseq, serverseq }`
// and `customConfig` an object. The reference server answers an open that fails them with
// `disconnect`, reason `error`, "Client Error: Invalid Message: Invalid/missing parameters",
// before its open transaction begins (server/serversessionimpl.ts, onTextMessage,
// signalClientError), and its client answers that `disconnect` with its close transaction
// (`close` reason "disconnect" → `closed`, then it closes the socket: client/clientsessionimpl.ts,
// onDisconnectMessage, onClosedMessage). The far end here is that client, cut to what an open
// refused needs: it sends the test's `open`, answers a `disconnect` with `close` and a `closed`
// by closing its socket.
import assert from "node:assert/strict";
import { REFERENCE_OPEN_IDS } from "./fixtures/audiohook_client.ts";
import { handWrittenAudioHookSession } from "./fixtures/audiohook_hand_written_client.ts";
import { SESSION } from "./fixtures/genesys_session.ts";

const WELL_FORMED = {
  ...REFERENCE_OPEN_IDS,
  media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }],
};

/**
 * A session whose client opens with `parameters`, run on the fake clock until the transport has
 * closed: what the client saw, the frames the bot read, the errors reported, the stats.
 */
async function opening(parameters: Record<string, unknown>) {
  const s = await handWrittenAudioHookSession(parameters, { answersDisconnect: true });
  // A session taken stays open: closed here, for the assertions to say so.
  if (!s.seen.some((m) => m.type === "closed")) await s.transport.close();
  const closed = await s.transport.closed;
  await s.read;
  const { clock, seen, frames, errors } = s;
  return { clock, seen, frames, errors, closed, stats: s.transport.stats };
}

const { participant } = WELL_FORMED;
for (
  const [what, parameters, fault] of [
    [
      "an organizationId that is no UUID",
      { ...WELL_FORMED, organizationId: "o" },
      'organizationId "o" not a UUID',
    ],
    [
      "no conversationId",
      { ...WELL_FORMED, conversationId: undefined },
      "conversationId missing",
    ],
    [
      "a conversationId that is no UUID",
      { ...WELL_FORMED, conversationId: 42 },
      "conversationId 42 not a UUID",
    ],
    ["no participant", { ...WELL_FORMED, participant: undefined }, "participant missing"],
    [
      "a participant that is no object",
      { ...WELL_FORMED, participant: "John" },
      'participant "John" not a participant (an object)',
    ],
    [
      "a participant without its id",
      { ...WELL_FORMED, participant: { ...participant, id: undefined } },
      "participant.id missing",
    ],
    [
      "a participant id that is no UUID",
      { ...WELL_FORMED, participant: { ...participant, id: "agent-7" } },
      'participant.id "agent-7" not a UUID',
    ],
    [
      "a participant without aniName",
      { ...WELL_FORMED, participant: { ...participant, aniName: undefined } },
      "participant.aniName missing",
    ],
    [
      "a dnis that is no string",
      { ...WELL_FORMED, participant: { ...participant, dnis: 18005556789 } },
      "participant.dnis 18005556789 not a string",
    ],
    [
      "an offer whose format is no string",
      { ...WELL_FORMED, media: [{ ...WELL_FORMED.media[0], format: 7 }] },
      "media[0].format 7 not a string",
    ],
    [
      "an offer whose rate is no number, beside a well-formed one",
      { ...WELL_FORMED, media: [...WELL_FORMED.media, { ...WELL_FORMED.media[0], rate: "8000" }] },
      'media[1].rate "8000" not a number',
    ],
    [
      "an offer that is no object",
      { ...WELL_FORMED, media: ["PCMU"] },
      'media[0] "PCMU" not an offer (an object)',
    ],
    [
      "a language that is no language tag",
      { ...WELL_FORMED, language: "english please" },
      'language "english please" not a language tag (such as en-US)',
    ],
    [
      "supportedLanguages that is no boolean",
      { ...WELL_FORMED, supportedLanguages: "yes" },
      'supportedLanguages "yes" not true or false',
    ],
    [
      "a continued session without its serverseq",
      { ...WELL_FORMED, continuedSessions: [{ id: SESSION, clientseq: 3 }] },
      "continuedSessions[0].serverseq missing",
    ],
    [
      "customConfig that is no object",
      { ...WELL_FORMED, customConfig: "[1]" },
      'customConfig "[1]" not an object',
    ],
  ] as const
) {
  Deno.test(`\`GenesysSerializer\` refuses an open with ${what}: disconnect (error), a counted decode error, no start, and AudioHook's close ends it`, async () => {
    const s = await opening(parameters);
    const reason = `Invalid open parameters: ${fault}`;
    // Refused as the reference server refuses it, in the session Genesys opened (its id).
    assert.deepEqual(s.seen, [
      {
        type: "disconnect",
        id: SESSION,
        parameters: { reason: "error", info: `Client Error: ${reason}` },
      },
      { type: "closed", id: SESSION, parameters: {} },
    ]);
    // No `start`: the bot reads only the end of a session that never opened.
    assert.deepEqual(s.frames, [{ type: "end", reason: "disconnect" }]);
    assert.deepEqual(s.errors.map((e) => [e.code, e.message]), [["decode", `genesys: ${reason}`]]);
    assert.equal(s.stats.decodeErrors, 1);
    // Ended as AudioHook ends it, by the client, not on closeTimeoutMs.
    assert.equal(s.closed.code, 1005);
    assert.ok(s.clock.now() < 1000, `closed at ${s.clock.now()} ms`);
  });
}

Deno.test("`GenesysSerializer` takes an open whose language is BCP 47 but not the reference's pattern (es-419, zh-Hant-TW, en)", async () => {
  // The reference's `languageCodeRegex`, /^[a-z]{2,3}-[A-Za-z]{2,3}$/ (validators.ts), refuses
  // these; Genesys Cloud's languages include Latin American Spanish, es-419. A call refused over
  // its language's spelling would be lost for a value the serializer only hands the bot: the one
  // difference kept from the reference (see `_genesys_open_parameters.ts`).
  for (const language of ["es-419", "zh-Hant-TW", "en"]) {
    const s = await opening({ ...WELL_FORMED, language });
    assert.equal(s.seen[0]?.type, "opened", language);
    assert.equal(s.frames[0]?.type, "start", language);
    assert.equal((s.frames[0] as { params?: Record<string, string> }).params?.language, language);
    assert.equal(s.stats.decodeErrors, 0);
  }
});

Deno.test("`GenesysSerializer` passes over a well-formed offer of a value AudioHook does not define, beside the PCMU it takes", async () => {
  // The reference holds each offer's values to today's (audio, PCMU or L16, 8000, external and
  // internal); a format or rate Genesys may add would then refuse calls whose PCMU offer this
  // serializer takes: the second difference kept (see `_genesys_open_parameters.ts`).
  const added = [
    { type: "audio", format: "opus", channels: ["external"], rate: 48000 },
    { type: "video", format: "H264", channels: ["external"], rate: 90000 },
    { type: "audio", format: "PCMU", channels: ["external", "agent"], rate: 8000 },
  ];
  const s = await opening({ ...WELL_FORMED, media: [...added, ...WELL_FORMED.media] });
  assert.equal(s.seen[0]?.type, "opened");
  assert.deepEqual(s.seen[0]?.parameters.media, [
    WELL_FORMED.media[0],
  ]);
  assert.equal(s.frames[0]?.type, "start");
  assert.equal(s.stats.decodeErrors, 0);
});

Deno.test("`GenesysSerializer` answers an open offering only values it does not take with a disconnect (no PCMU 8000 Hz media offered), and the session ends", async () => {
  const s = await opening({
    ...WELL_FORMED,
    media: [{ type: "audio", format: "PCMU", channels: ["external"], rate: 16000 }],
  });
  assert.equal(s.seen[0]?.type, "disconnect");
  assert.match(
    String(s.seen[0]?.parameters.info),
    /no PCMU 8000 Hz media offered/,
  );
  assert.equal(s.frames[0]?.type, "end");
});

Deno.test("`GenesysSerializer` takes an open with every optional field well formed, and unknown fields", async () => {
  const s = await opening({
    ...WELL_FORMED,
    language: "en-US",
    supportedLanguages: false,
    continuedSessions: [{ id: SESSION, clientseq: 3, serverseq: 2 }],
    customConfig: { tier: "gold" },
    inputVariables: { accountNumber: "1234" },
    // Fields the protocol does not name are free (`makeValidator` checks only its own).
    somethingNew: [1, 2, 3],
  });
  assert.equal(s.seen[0]?.type, "opened");
  assert.equal(s.frames[0]?.type, "start");
  // (An Audio Connector session, so the report of this transport's 20 ms messages comes too.)
  assert.deepEqual(s.errors.filter((e) => e.code === "decode"), []);
  assert.equal(s.stats.decodeErrors, 0);
});
