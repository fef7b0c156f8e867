// An AudioHook `open` need not carry `inputVariables`: Genesys's Audio Connector reference server
// (GenesysCloudBlueprints/audioconnector-server-reference-implementation) declares the open's
// parameters with `inputVariables?: JsonStringMap` (src/protocol/message.ts, `OpenParameters`:
// optional, beside the required `organizationId`, `conversationId`, `participant` and `media`),
// and the Monitor's reference client (purecloudlabs/audiohook-reference-implementation,
// app/audiohook/src/protocol/validators.ts, `isOpenParameters`) sends none at all. (The
// developer.genesys.cloud "AudioHook protocol" pages are not in the searchable docs.) The
// simulated Genesys always sent them, so no call could try a bot on an open without them:
// `platform.inputVariables: false` (`--no-input-variables`) leaves them out. The default stays
// an empty `inputVariables`, as the Audio Connector the far end plays (it plays the bot's audio)
// sends them: a bot that tells an Audio Connector from a Monitor by them (GenesysSerializer's
// `sendAudio: "auto"`) would otherwise take every default call for a listen-only Monitor's.
import assert from "node:assert/strict";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { GenesysFarEnd } from "../../src/simulator/far_ends/genesys.ts";
import { simulateCall, syntheticCaller } from "../../src/simulator/mod.ts";
import { farEndContext } from "./far_ends/_context.ts";
import { callBot } from "./_bot.ts";
import { expectUsage, printedHelp } from "./_cli.ts";

/** The parameters of the `open` the Genesys far end made with `inputVariables` sends. */
function openParameters(inputVariables?: boolean): Record<string, unknown> {
  const sent: { type: string; parameters: Record<string, unknown> }[] = [];
  const farEnd = new GenesysFarEnd(inputVariables === undefined ? {} : { inputVariables });
  farEnd.open(farEndContext({
    send: (message) => sent.push(JSON.parse(message as string)),
    // No time passes: the wait for `opened` never ends (the idle context's sleeps end at once).
    sleep: () => new Promise(() => {}),
  }));
  const open = sent.find((m) => m.type === "open");
  assert.ok(open, "an open");
  return open.parameters;
}

Deno.test("the Genesys far end's open leaves inputVariables out when told to, and only them", () => {
  const without = openParameters(false);
  assert.equal("inputVariables" in without, false, JSON.stringify(without));
  const { inputVariables, ...rest } = openParameters();
  assert.deepEqual(inputVariables, {}, "the default: an empty inputVariables");
  assert.deepEqual(Object.keys(without).sort(), Object.keys(rest).sort());
  assert.deepEqual(Object.keys(openParameters(true)).sort(), Object.keys(openParameters()).sort());
});

/** A call of two utterances to a bot on GenesysSerializer, its open without inputVariables. */
function callWithoutInputVariables(sendAudio: "auto" | "always") {
  return callBot({
    serializer: () => new GenesysSerializer({ sendAudio }),
    transport: { fixedAudioPacketSize: 1600, padByte: 0xff },
    answerMs: 800,
  }, {
    protocol: "genesys",
    platform: { inputVariables: false },
    audio: syntheticCaller({ utterancesMs: [1000, 1200], pauseMs: 2000 }),
    lingerMs: 1500,
  });
}

Deno.test("GenesysSerializer opens a session without inputVariables, and talks in it with sendAudio: always", async () => {
  const { report, session } = await callWithoutInputVariables("always");
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(session.starts.length, 1, "the bot's start frame");
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.deepEqual(report.utterances.map((u) => u.latencyMs !== null), [true, true]);
});

Deno.test("GenesysSerializer's sendAudio auto takes an open without inputVariables for a Monitor's: the caller hears nothing", async () => {
  const { report, session } = await callWithoutInputVariables("auto");
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(session.starts.length, 1, "the session opened all the same");
  assert.ok(session.answers.length > 0, "the bot answered");
  assert.deepEqual(report.utterances.map((u) => u.latencyMs), [null, null]);
});

Deno.test("simulateCall refuses a platform.inputVariables that is not true or false", async () => {
  await assert.rejects(
    simulateCall("ws://127.0.0.1:9/", {
      protocol: "genesys",
      platform: { inputVariables: "false" as unknown as boolean },
    }),
    (error: unknown) =>
      error instanceof TypeError &&
      /^platform\.inputVariables must be true or false, got a string/.test(error.message),
  );
});

Deno.test("the simulate CLI's --no-input-variables is Genesys's, and said in --help", async () => {
  await expectUsage("ws://127.0.0.1:9/", [
    [
      ["-p", "twilio", "--no-input-variables"],
      /^simulate: --no-input-variables: twilio sends no inputVariables: -p genesys does\n/,
    ],
  ], [["-p", "genesys", "--no-input-variables"]]);
  assert.match(
    (await printedHelp()).replace(/\s+/g, " "),
    / --no-input-variables genesys only: an open without inputVariables/,
  );
});
