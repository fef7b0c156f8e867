// An AudioHook `open` whose `media` offers nothing the serializer takes (PCMU at 8 kHz carrying
// its channel). The offers are the protocol's documented shapes: `MediaParameter` is
// `{ type: "audio", format: "PCMU" | "L16", channels: ("external" | "internal")[] (one or two),
// rate: 8000 }`, and `media` is a list of them that may be empty (purecloudlabs/
// audiohook-reference-implementation, app/audiohook/src/protocol/core.ts and validators.ts,
// `isMediaParameters`); an Audio Connector offers the caller's channel alone ("Only the external
// audio channel is sent from the client to the server": help.mypurecloud.com, "Audio Connector
// overview"). The protocol lets a server answer such an offer with `opened` and empty `media`, a
// session with no audio (the reference server does, by default); a voice bot can neither hear
// nor speak in it, so the serializer refuses it with `disconnect` (reason `error`), as the
// reference's own audio handlers refuse an offer they cannot use, and its client answers that
// `disconnect` with its close transaction (clientsessionimpl.ts, onDisconnectMessage; see
// `GenesysSerializer#open`). Genesys's client here is fixtures/audiohook_client.ts, written from
// the reference client.
import assert from "node:assert/strict";
import type { AudioHookClient } from "./fixtures/audiohook_client.ts";
import { openedAudioHookMedia, refusedAudioHookOpen } from "./fixtures/audiohook_session.ts";
import { boundGenesys } from "./fixtures/genesys_open.ts";
import { FAR_ENDS } from "../../src/simulator/far_ends.ts";
import { farEndContext } from "../simulator/far_ends/_context.ts";

const SESSION = "e160e428-53e2-487c-977d-96989bf5c99d";

const kinds = (client: AudioHookClient) =>
  client.seen.map((m) => ("binary" in m ? "binary" : m.type));

const L16 = { type: "audio", format: "L16", channels: ["external"], rate: 8000 };
const PCMU_EXTERNAL = { type: "audio", format: "PCMU", channels: ["external"], rate: 8000 };

for (
  const [what, media] of [
    ["only L16 (a format the protocol defines, which the serializer does not take)", [L16]],
    ["an empty media list", []],
  ] as const
) {
  Deno.test(`\`GenesysSerializer\` refuses an open offering ${what} with disconnect, and AudioHook's close follows`, async () => {
    const s = await refusedAudioHookOpen([...media]);
    // No `opened`: `disconnect` answers the open transaction, the client's close transaction
    // follows (`close` reason "disconnect" → `closed`), and the client closes the socket.
    assert.deepEqual(kinds(s.client), ["disconnect", "closed"]);
    assert.deepEqual(s.disconnects, [{
      reason: "error",
      info: "Client Error: no PCMU 8000 Hz media offered",
    }]);
    assert.deepEqual(s.client.sent.map((m) => m.type), ["open", "close"]);
    assert.deepEqual(s.client.violations, []);
    // The bot gets no `start` (no session opened), only the end; the refusal is one decode error.
    assert.deepEqual(s.frames, [{ type: "end", reason: "disconnect" }]);
    assert.deepEqual(s.errors.map((e) => e.code), ["decode"]);
    assert.match(s.errors[0]!.message, /^genesys: open refused, no PCMU 8000 Hz media offered: /);
    assert.equal(s.closed.code, 1005, "closed by the client, as the reference client closes");
    assert.ok(s.clock.now() < 1000, `closed at ${s.clock.now()} ms, before closeTimeoutMs`);
  });
}

Deno.test("`GenesysSerializer` refusing an Audio Connector's external-only offer for its channel option says so, not that no PCMU was offered", async () => {
  // The Audio Connector offers PCMU 8 kHz of the caller's channel alone: a serializer set to the
  // internal channel cannot take it. The disconnect's `info` (what Genesys logs for the admin)
  // said "no PCMU 8000 Hz media offered", which Genesys had offered.
  const s = await refusedAudioHookOpen([PCMU_EXTERNAL], { channel: "internal" }, {
    inputVariables: { accountNumber: "1234" },
  });
  assert.deepEqual(kinds(s.client), ["disconnect", "closed"]);
  assert.deepEqual(s.disconnects, [{
    reason: "error",
    info:
      "Client Error: no PCMU 8000 Hz media of the internal channel offered (the channel option)",
  }]);
  assert.deepEqual(s.client.violations, []);
  assert.deepEqual(s.frames, [{ type: "end", reason: "disconnect" }]);
  assert.match(s.errors[0]!.message, /open refused, no PCMU 8000 Hz media of the internal channel/);
});

Deno.test("`GenesysSerializer` takes the same external-only offer for its default channel", async () => {
  const s = await openedAudioHookMedia([PCMU_EXTERNAL]);
  assert.equal(s.first?.type, "start");
  assert.deepEqual(s.opened, {
    type: "opened",
    seq: 1,
    parameters: { startPaused: false, media: [PCMU_EXTERNAL] },
  });
});

Deno.test("`GenesysSerializer` ends a refused open within closeTimeoutMs when the client never closes", async () => {
  const s = await refusedAudioHookOpen([L16], {}, { answersDisconnect: false });
  assert.deepEqual(kinds(s.client), ["disconnect"]);
  assert.equal(s.closed.code, 1000);
  assert.equal(s.clock.now(), 1000, "closed at closeTimeoutMs");
  assert.deepEqual(s.errors.map((e) => e.code), ["decode", "timeout"]);
});

Deno.test("the simulator's Genesys far end answers the disconnect that refuses its open with its close transaction, as Genesys's client does", async () => {
  // The reference client takes a `disconnect` while it waits for `opened` (any state but closing
  // or closed), cancels its open timer and sends `close` with reason "disconnect"
  // (clientsessionimpl.ts, onDisconnectMessage, initiateClose). The far end ignored it there,
  // and 5 s on reported the bot for an `opened` that never came ("genesys.open-timeout").
  const sent: { type: string; parameters: Record<string, unknown> }[] = [];
  const ended: string[] = [];
  const violations: string[] = [];
  const context = farEndContext({
    sleep: () => new Promise(() => {}), // no timer fires unless the test says
    send: (message) => void sent.push(JSON.parse(message as string)),
    endCall: (by, reason) => void ended.push(`${by}: ${reason}`),
    violation: (rule, detail) => void violations.push(`${rule}: ${detail}`),
  });
  const farEnd = FAR_ENDS["genesys"]!({ streamId: SESSION });
  farEnd.open(context);
  // Its `open`, offering L16 alone: the serializer refuses it, and its answer goes to the far end.
  const open = sent[0]!;
  const { genesys, sent: replies } = boundGenesys();
  assert.throws(() =>
    genesys.deserialize(
      JSON.stringify({ ...open, parameters: { ...open.parameters, media: [L16] } }),
    )
  );
  for (const reply of replies.splice(0)) farEnd.receive(reply as string);
  assert.deepEqual(ended, ["bot: disconnect (error)"]);
  // The call ends as the bot asked: the client's close transaction, answered with `closed`.
  const hungUp = farEnd.hangUp();
  assert.deepEqual(sent.slice(1).map((m) => [m.type, m.parameters]), [
    ["close", { reason: "disconnect" }],
  ]);
  assert.deepEqual(genesys.deserialize(JSON.stringify(sent.at(-1))), {
    type: "end",
    reason: "disconnect",
  });
  for (const reply of replies.splice(0)) farEnd.receive(reply as string);
  await hungUp;
  assert.deepEqual(violations, []);
});
