// A goodbye written just before the `end`. Twilio's "Getting and sending WebSocket messages"
// (twilio.com/docs/voice/conversationrelay/websocket-messages): "Text tokens message" sends text
// for the platform to speak, "End session message" (`{"type":"end","handoffData":…}`) ends the
// session; the messages Twilio sends ("Setup", "Prompt", "DTMF", "Interrupt", "Error") include
// none that says a text has been spoken, and the page does not say whether speech already sent
// finishes before the `end` takes effect (nor does Telnyx's "ConversationRelay WebSocket channel"
// reference). Twilio's own samples send the `end` right after the goodbye; others wait out its
// speaking time first. So the serializer holds the `end` until the text before it has had its
// estimated time to be spoken: heard whichever way the platform takes the `end`. The far end here
// is the simulator's, written from those pages, its queue drained as the fake clock runs: what it
// still holds when the `end` reaches it is what a platform that cut its speech there would cut.
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import {
  ConversationRelaySerializer,
  type ConversationRelaySerializerOptions,
} from "../../src/serializers/conversation_relay.ts";
import { UNHEARD_TOLERANCE_MS } from "../../src/simulator/_unheard_goodbye_gate.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { handDrainedRelay, spokenMs } from "../simulator/far_ends/_relay_context.ts";

const GOODBYE = "Thank you for calling, goodbye!";
/** The transport's default `sendTimeoutMs`, which bounds a held `end`. */
const SEND_TIMEOUT_MS = 5000;

/**
 * A bot on a transport with a ConversationRelay serializer, talking to the simulator's far end
 * over an in-memory socket on a fake clock: each 20 ms tick, 20 ms of the far end's queue plays.
 * `endSeen` holds what was still queued when the `end` reached the far end, and when.
 */
function relayCall(options: ConversationRelaySerializerOptions = {}) {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new ConversationRelaySerializer(options),
    clock,
  });
  const call = handDrainedRelay();
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  const startedAt = clock.now();
  let endSeen: { queuedMs: number; atMs: number; handoffData?: string } | undefined;
  pair.client.addEventListener("message", (event) => {
    const data = (event as MessageEvent).data as string;
    const message = JSON.parse(data);
    if (message.type === "end") {
      endSeen ??= {
        queuedMs: call.queuedMs(),
        atMs: clock.now() - startedAt,
        handoffData: message.handoffData,
      };
    }
    call.far.receive(data);
  });
  /** Runs the call `ms` on, the far end playing its queue as the time passes. */
  const run = async (ms: number) => {
    for (let t = 0; t < ms; t += 20) {
      await clock.tick(20);
      call.played(20);
    }
  };
  const now = () => clock.now() - startedAt;
  return { transport, pair, call, errors, run, now, clock, endSeen: () => endSeen };
}

Deno.test("ConversationRelay: an `end` right after the goodbye's text waits until it has been spoken", async () => {
  const { transport, errors, run, endSeen } = relayCall();
  transport.send({ type: "text", text: GOODBYE });
  transport.send({ type: "end" });
  await run(spokenMs(GOODBYE) + 1000);
  const seen = endSeen();
  assert.ok(seen, "the end went out");
  assert.ok(
    seen.queuedMs <= UNHEARD_TOLERANCE_MS,
    `the goodbye was heard before the end: ${seen.queuedMs} ms of it still queued`,
  );
  // Held by an estimate of the speech, not for ever: well within the transport's bound on it.
  assert.ok(seen.atMs < 1.5 * spokenMs(GOODBYE), `end at ${seen.atMs} ms`);
  await transport.closed;
  assert.deepEqual(errors, []);
});

Deno.test("ConversationRelay: the platform's interrupt lets a held `end` go at once", async () => {
  const { transport, pair, run, endSeen } = relayCall();
  transport.send({ type: "text", text: GOODBYE });
  transport.send({ type: "end" });
  await run(200);
  assert.equal(endSeen(), undefined, "held");
  // "Interrupt message": the caller talked over the goodbye, and its speech stopped.
  pair.client.send(JSON.stringify({
    type: "interrupt",
    utteranceUntilInterrupt: "Thank",
    durationUntilInterruptMs: 200,
  }));
  await run(40);
  const seen = endSeen();
  assert.ok(seen !== undefined && seen.atMs <= 240, `end at ${seen?.atMs}: not at once`);
  await transport.closed;
});

Deno.test("ConversationRelay: a `cancel` hangs up at once, its goodbye not waited for", async () => {
  const { transport, run, endSeen } = relayCall();
  transport.send({ type: "text", text: GOODBYE });
  transport.send({ type: "cancel" });
  await run(40);
  assert.ok(endSeen() !== undefined, "the end went at once");
  await transport.closed;
});

// "End session message": the `end` is how the app ends the session, its `handoffData` handed on
// to the `<Connect action>` URL; a socket the app closes without one is error 64105
// ("ConversationRelay: Websocket ended": "The websocket disconnected from the server side during
// an ongoing call"). A `cancel` hangs up at once, but says the `end` it hangs up with first.
Deno.test("ConversationRelay: a `cancel` under a held `end` hangs up at once, the `end` and its handoffData said before the close", async () => {
  const { transport, pair, run, endSeen, clock } = relayCall({
    handoffData: '{"reason":"transfer"}',
  });
  transport.send({ type: "text", text: GOODBYE });
  transport.send({ type: "end" });
  await run(200);
  assert.equal(endSeen(), undefined, "held");
  let endBeforeClose: boolean | undefined;
  pair.client.addEventListener("close", () => endBeforeClose ??= endSeen() !== undefined);
  transport.send({ type: "cancel", closeCode: 4000, reason: "hang up now" });
  await run(40);
  assert.equal(endBeforeClose, true, "the end went out before the socket closed");
  const seen = endSeen()!;
  assert.ok(seen.atMs <= 240, `end at ${seen.atMs} ms: not at once`);
  assert.equal(seen.handoffData, '{"reason":"transfer"}');
  const closed = await transport.closed;
  assert.equal(closed.code, 4000, "closed as the cancel asked");
  const ends = pair.server.sent.filter((m) => JSON.parse(m as string).type === "end");
  assert.equal(ends.length, 1, "one end, not the held one again");
  assert.equal(clock.pendingTimers, 0, "the hold's timer does not outlive the session");
});

Deno.test("ConversationRelay: a goodbye too long to wait for under sendTimeoutMs is reported, the session ending in bound", async () => {
  const { transport, errors, run, endSeen } = relayCall();
  const long = "This is a very long goodbye, one that goes on and on. ".repeat(8);
  assert.ok(spokenMs(long) > 4 * SEND_TIMEOUT_MS, "longer than any hold under the bound");
  transport.send({ type: "text", text: long });
  transport.send({ type: "end" });
  await run(SEND_TIMEOUT_MS + 1000);
  const seen = endSeen();
  assert.ok(seen !== undefined && seen.atMs < SEND_TIMEOUT_MS, `end at ${seen?.atMs}`);
  const closed = await transport.closed;
  assert.equal(closed.code, 1000, "closed as a goodbye, not as a serialize that timed out");
  assert.deepEqual(errors.map((e) => e.code), ["timeout"]);
  assert.match(errors[0]!.message, /may not hear all of the goodbye/);
});

Deno.test("ConversationRelay: the socket closing under a held `end` ends the session at once", async () => {
  const { transport, pair, run, endSeen, now, clock } = relayCall();
  transport.send({ type: "text", text: GOODBYE });
  transport.send({ type: "end" });
  await run(200);
  pair.client.close(1000); // the caller hung up: the platform closed the socket
  let closedAtMs: number | undefined;
  void transport.closed.then(() => closedAtMs = now());
  await run(40);
  assert.equal(clock.pendingTimers, 0, "the hold's timer does not outlive the session");
  await run(2 * spokenMs(GOODBYE));
  assert.ok(closedAtMs !== undefined && closedAtMs <= 240, `closed at ${closedAtMs} ms`);
  assert.equal(endSeen(), undefined, "no end on a closed socket");
  assert.equal(transport.stats.framesDroppedOnClose, 1, "the end, dropped at the close: counted");
});
