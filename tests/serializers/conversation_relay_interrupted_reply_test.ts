// A streamed reply (`streamText`) that an interruption cut short. Twilio's "Getting and sending
// WebSocket messages" (twilio.com/docs/voice/conversationrelay/websocket-messages), "Text tokens
// message": a reply is a talk cycle of `text` tokens that ends at the one with `last: true`;
// `interruptible` says what may cut its speech, `preemptible` that the next talk cycle's text may;
// "Interrupt message": the platform tells the app what the caller heard when they barged in.
// Neither it nor Telnyx's copy says that a cut reply needs no `last: true`, nor that one left
// without it is given up: left open, the bot's next reply is more of the cut one (the simulator's
// far end, written from those pages, keeps a cycle open until `last: true`). So the serializer
// closes the cut reply with an empty `last: true` token at once: at the bot's `interruption`, or
// at the platform's `interrupt` (through the transport's context, ahead of any token queued).
import assert from "node:assert/strict";
import type { TransportError } from "../../src/errors.ts";
import {
  ConversationRelaySerializer,
  type ConversationRelaySerializerOptions,
} from "../../src/serializers/conversation_relay.ts";
import { MS_PER_CHARACTER } from "../../src/simulator/far_ends/conversation_relay.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { MemorySocketPair } from "../../src/testing/memory_socket.ts";
import { WebSocketTransport } from "../../src/transport.ts";
import { handDrainedRelay } from "../simulator/far_ends/_relay_context.ts";

const CLOSE = { type: "text", token: "", last: true };

/** What `serialize` sent, as parsed messages (none, one or several). */
function wire(sent: string | null): unknown[] {
  return sent === null ? [] : [JSON.parse(sent)];
}

Deno.test("`ConversationRelaySerializer`: the bot's interruption closes its open streamed reply, once", () => {
  const relay = new ConversationRelaySerializer({ streamText: true });
  assert.equal(relay.serialize({ type: "interruption" }), null, "no reply open");
  relay.serialize({ type: "text", text: "Let me " });
  assert.deepEqual(wire(relay.serialize({ type: "interruption" })), [CLOSE]);
  assert.equal(relay.serialize({ type: "interruption" }), null, "closed already");
  relay.serialize({ type: "text", text: "Done." });
  relay.serialize({ type: "text", text: "" }); // the bot's own close
  assert.equal(relay.serialize({ type: "interruption" }), null, "closed by the bot");
  const whole = new ConversationRelaySerializer();
  whole.serialize({ type: "text", text: "A whole reply." }); // `last: true` already
  assert.equal(whole.serialize({ type: "interruption" }), null);
});

Deno.test("`ConversationRelaySerializer`: the platform's interrupt closes the cut reply at once, through the context", () => {
  const relay = new ConversationRelaySerializer({ streamText: true });
  const sent: unknown[] = [];
  relay.bind({ send: (m) => void sent.push(JSON.parse(m as string)), count() {}, report() {} });
  const interrupt =
    '{"type":"interrupt","utteranceUntilInterrupt":"Your","durationUntilInterruptMs":240}';
  relay.deserialize(interrupt);
  assert.deepEqual(sent, [], "no reply open");
  relay.serialize({ type: "text", text: "Your balance is " });
  relay.deserialize(interrupt);
  assert.deepEqual(sent, [CLOSE]);
  // The bot's own interruption, or a token after, finds the reply closed already.
  assert.equal(relay.serialize({ type: "interruption" }), null);
  assert.deepEqual(wire(relay.serialize({ type: "text", text: "Sorry?" })), [
    { type: "text", token: "Sorry?", last: false },
  ]);
  relay.serialize({ type: "text", text: "" });
  relay.deserialize(interrupt);
  assert.deepEqual(sent, [CLOSE], "closed by the bot: nothing more");
});

/**
 * A far end whose playout queue the test drains by hand (_relay_context.ts), and a bot streaming
 * its replies to it through a serializer made with `options`.
 */
function farEnd(options: ConversationRelaySerializerOptions) {
  const relay = new ConversationRelaySerializer({ streamText: true, ...options });
  const call = handDrainedRelay();
  const bot = {
    say: (...tokens: string[]) => {
      for (const text of tokens) {
        for (const m of wire(relay.serialize({ type: "text", text }))) {
          call.far.receive(JSON.stringify(m));
        }
      }
    },
    interrupt: () => {
      for (const m of wire(relay.serialize({ type: "interruption" }))) {
        call.far.receive(JSON.stringify(m));
      }
    },
  };
  return { ...call, bot };
}

Deno.test("ConversationRelay far end: a reply the bot interrupted gives way to its next, preemptible one", () => {
  // The menu is not interruptible by a keypress, so the caller's key does not stop it: the bot
  // stops its reply and answers the key in a reply that may preempt the menu's speech.
  const call = farEnd({ interruptible: "speech", preemptible: true });
  call.bot.say("For sales press one, ", "for support ");
  call.played(300);
  assert.equal(call.far.sendDtmf("2"), true);
  assert.deepEqual(call.fromPlatform.at(-1), { type: "dtmf", digit: "2" }, "no interrupt");
  call.bot.interrupt();
  call.bot.say("Support, ", "one moment.", "");
  // The menu's rest is dropped by the platform (no clear of the bot's), and the caller hears the
  // answer at once.
  assert.equal(call.clears(), 0, "the menu gave way: dropped, not cleared");
  assert.equal(call.queuedMs(), "Support, one moment.".length * MS_PER_CHARACTER);
});

Deno.test("ConversationRelay far end: what the caller heard of the next reply is counted from its own start", () => {
  const call = farEnd({});
  call.bot.say("Let me check ");
  call.played(1000); // all of it heard
  call.bot.interrupt(); // the bot gave up on that reply (its lookup answered)
  call.bot.say("Your balance is ten dollars.", "");
  call.played(10 * MS_PER_CHARACTER);
  call.speaks(); // `interruptible` "any": the caller's speech barges in
  assert.deepEqual(call.fromPlatform.at(-2), {
    type: "interrupt",
    utteranceUntilInterrupt: "Your balan",
    durationUntilInterruptMs: 10 * MS_PER_CHARACTER,
  });
});

Deno.test("`ConversationRelaySerializer` through a transport: `interrupt()` sends the cut reply's close at once", async () => {
  const clock = new FakeClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new ConversationRelaySerializer({ streamText: true }),
    clock,
  });
  const sent: unknown[] = [];
  pair.client.addEventListener("message", (e) => sent.push(JSON.parse((e as MessageEvent).data)));
  const errors: TransportError[] = [];
  transport.addEventListener("error", (e) => errors.push(e.error));
  transport.send({ type: "text", text: "Let me " });
  await clock.tick(10);
  await transport.interrupt();
  await clock.tick(10);
  transport.send({ type: "text", text: "Done." });
  await clock.tick(10);
  assert.deepEqual(sent, [
    { type: "text", token: "Let me ", last: false },
    CLOSE,
    { type: "text", token: "Done.", last: false },
  ]);
  assert.deepEqual(errors, []);
  assert.equal(transport.stats.encodeErrors, 0);
  pair.client.close(1000);
  await transport.closed;
});
