// Genesys's `error` message when it comes out of step while we are ending: after we refused one of
// its text messages before taking its `seq` (a breach's `disconnect` sent), Genesys numbers on
// from the refused one until it has read our `disconnect` and closes, so its messages meanwhile
// are out of step through no fault of theirs: not read, counted in `inboundAfterEnd`
// (genesys_after_breach_test.ts). An `error` among them is different in kind: it is the
// platform telling us what went wrong on its side, with a `code`, a `message` and, for a 429,
// `retryAfter` (the AudioHook `error` message: Genesys's reference implementation,
// purecloudlabs/audiohook-reference-implementation, app/audiohook/src/protocol/message.ts,
// `ErrorParameters`; its client sends one before its close transaction when something fails,
// client/clientsessionimpl.ts, signalFatalError: `error`, then `close` with reason `error`).
// The serializer reports every other `error` Genesys sends, in step, and after its close
// (`_genesys_client_error.ts`: a "protocol" error, the transport's `error` event). One out of step
// was only counted: the bot learnt that the session ended with reason `error`, never why.
// (developer.genesys.cloud's "AudioHook protocol" pages are not in the searchable docs.)
//
// Now it is reported as those are, and still counted in `inboundAfterEnd` (its `seq` is not
// taken, and nothing else is done with it: the bot reads no `message` frame for it, as for any
// message out of step). Only `error`: every other message out of step stays counted alone.
//
// The client is Genesys's, written message by message (fixtures/audiohook_hand_written_client.ts).
import assert from "node:assert/strict";
import {
  breached,
  endedByUs,
  openedSession,
  type PingedSession,
  refusedUnread,
  toTheEnd,
} from "./fixtures/audiohook_pinged_session.ts";

for (
  const [what, refusal] of [
    ["after a breach", breached],
    ["after our goodbye and a refusal", async (s: PingedSession) => {
      const { ended } = await endedByUs(s);
      refusedUnread(s);
      return { ended };
    }],
  ] as const
) {
  Deno.test(`Genesys: an error out of step ${what} is reported with its code and message, and counted`, async () => {
    const s = await openedSession();
    const { ended } = await refusal(s);
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect"]);
    // Numbered on from the refused message: out of step.
    s.send(s.message("error", { code: 429, message: "Too many requests", retryAfter: "PT3S" }));
    s.send(s.message("ping", {}));
    s.send(s.message("close", { reason: "error" }));
    await toTheEnd(s, ended);
    assert.deepEqual(s.seen.map((m) => m.type), ["opened", "disconnect", "closed"]);
    // The refusal is the one decode error; the platform's word reaches the bot as a report.
    assert.deepEqual(s.errors.map((e) => [e.code, e.message]).slice(1), [
      ["protocol", "genesys: error 429: Too many requests (retry after PT3S)"],
    ]);
    assert.equal(s.errors[0]!.code, "decode");
    assert.equal(s.transport.stats.decodeErrors, 1);
    // Neither message out of step is taken: the error and the ping are counted.
    assert.equal(s.transport.stats.inboundAfterEnd, 2);
    assert.deepEqual(s.frames.map((f) => f.type), ["start", "end"]);
    assert.deepEqual(s.frames.at(-1), { type: "end", reason: "error" });
  });
}

Deno.test("Genesys: an error out of step whose parameters are off is reported for what it says", async () => {
  // Out of step, nothing past its number is judged (as the reference server judges nothing past
  // a wrong `seq`): what it carries is reported as it came, not refused as a second fault.
  const s = await openedSession();
  await breached(s);
  s.send(s.message("error", { code: "busy", message: "Service unavailable" }));
  s.send(s.message("close", { reason: "error" }));
  await toTheEnd(s);
  assert.deepEqual(s.errors.map((e) => [e.code, e.message]).slice(1), [
    ["protocol", 'genesys: error "busy": Service unavailable'],
  ]);
  assert.equal(s.transport.stats.decodeErrors, 1);
  assert.equal(s.transport.stats.inboundAfterEnd, 1);
});
