// Whose words a `prompt` carries on a call the app placed. Twilio's ConversationRelay "Setup
// message" (twilio.com/docs/voice/conversationrelay/websocket-messages, "Setup message") names
// the call's parties as Twilio does everywhere: `from` is the number that placed the call, `to`
// the number called, and `direction` says which way the call went; on a call placed through the
// REST API or a <Dial> (`direction` "outbound-api" / "outbound-dial", the values of the Call
// resource's `direction`, twilio.com/docs/voice/api/call-resource) `from` is the app's own
// Twilio number and the person on the line, whose speech every `prompt` transcribes, is `to`.
// Telnyx's copy sends the same fields (developers.telnyx.com, "ConversationRelay WebSocket
// channel", its `setup` frame).
import assert from "node:assert/strict";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import type { Frame } from "../../src/frames.ts";

const APP_NUMBER = "+18005550100";
const PERSON_CALLED = "+18005550199";

/** The documented setup example, turned round: the app placed the call. */
function outboundSetup(direction: string): string {
  return JSON.stringify({
    type: "setup",
    sessionId: "VX00000000000000000000000000000000",
    accountSid: "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
    parentCallSid: "",
    callSid: "CA00000000000000000000000000000000",
    from: APP_NUMBER,
    to: PERSON_CALLED,
    forwardedFrom: "",
    callType: "PSTN",
    callerName: "",
    direction,
    callStatus: "IN-PROGRESS",
    customParameters: {},
  });
}

/** The speaker a final prompt is attributed to. */
function speakerOf(relay: ConversationRelaySerializer): string {
  const heard = relay.deserialize(
    '{"type":"prompt","voicePrompt":"Who is this?","lang":"en-US","last":true}',
  ) as Frame;
  assert.equal(heard.type, "transcription");
  return heard.type === "transcription" ? heard.userId : "";
}

for (const direction of ["outbound-api", "outbound-dial", "outbound"]) {
  Deno.test(`\`ConversationRelaySerializer\` gives a prompt on an ${direction} call to the number called`, () => {
    const relay = new ConversationRelaySerializer();
    relay.deserialize(outboundSetup(direction));
    assert.equal(speakerOf(relay), PERSON_CALLED);
  });
}

Deno.test("`ConversationRelaySerializer` gives a prompt on an inbound call to the caller", () => {
  const relay = new ConversationRelaySerializer();
  relay.deserialize(
    outboundSetup("inbound").replace(
      `"from":"${APP_NUMBER}","to":"${PERSON_CALLED}"`,
      `"from":"${PERSON_CALLED}","to":"${APP_NUMBER}"`,
    ),
  );
  assert.equal(speakerOf(relay), PERSON_CALLED);
});
