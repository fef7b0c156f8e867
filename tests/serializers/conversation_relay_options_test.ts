// The settings `ConversationRelaySerializer` stamps on every text token and on its `end`, checked
// where they are given. Twilio's "Getting and sending WebSocket messages" (twilio.com/docs/voice/
// conversationrelay/websocket-messages): "Text tokens message": `lang` a language, `interruptible`
// "none", "dtmf", "speech", "any" or a boolean (its changelog of 2025-04-01), `preemptible` a
// boolean; "End session message": `handoffData` "A string"; "ConversationRelay validates the
// incoming messages [...] If validation fails [...] the message will not be processed", and
// "Handling errors": ten such in a row close the session (1007). A setting of the wrong kind (a
// JavaScript caller's `"true"` from an environment variable, an object as `handoffData`) used to
// go out on every token: each one refused, the bot silent, the call cut off at the tenth; and an
// `end` refused leaves the call connected. Refused as the serializer is made instead, a
// `RangeError` naming the setting, as other serializers refuse theirs.
import assert from "node:assert/strict";
import { kindOf } from "../../src/_kind_of.ts";
import {
  ConversationRelaySerializer,
  type ConversationRelaySerializerOptions,
} from "../../src/serializers/conversation_relay.ts";

Deno.test("`ConversationRelaySerializer` refuses a setting the platform would refuse on every message", () => {
  const wrong: [string, unknown][] = [
    ["interruptible", "sometimes"],
    ["interruptible", "true"],
    ["preemptible", "false"],
    ["lang", 5],
    ["handoffData", { reason: "agent" }],
    ["streamText", "yes"],
  ];
  for (const [name, value] of wrong) {
    const options = { [name]: value } as unknown as ConversationRelaySerializerOptions;
    assert.throws(
      () => new ConversationRelaySerializer(options),
      (error: unknown) =>
        error instanceof RangeError && error.message.startsWith(`${name} must be `) &&
        error.message.endsWith(`got ${kindOf(value)}`),
      `${name}: ${JSON.stringify(value)}`,
    );
  }
});

Deno.test("`ConversationRelaySerializer` takes every setting the platform documents", () => {
  for (const interruptible of ["none", "dtmf", "speech", "any", true, false] as const) {
    new ConversationRelaySerializer({ interruptible });
  }
  const relay = new ConversationRelaySerializer({
    streamText: false,
    lang: "en-US",
    preemptible: false,
    handoffData: "",
  });
  assert.deepEqual(JSON.parse(relay.serialize({ type: "text", text: "Hi." })!), {
    type: "text",
    token: "Hi.",
    last: true,
    lang: "en-US",
    preemptible: false,
  });
  assert.deepEqual(JSON.parse(relay.serialize({ type: "end", reason: "done" }) as string), {
    type: "end",
    handoffData: "",
  });
});
