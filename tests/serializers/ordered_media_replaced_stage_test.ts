// A stream restarted over one socket, its `start` switching what the caller's media is ordered by
// (`start.tracks` with the outbound track too, then the inbound alone: `_inbound_order.ts`): each
// switch makes a new `OrderedMedia` stage (`orderingBy`), bound to the session's context. Each
// stage listened on the session's signal (the end of a wait for a hole), and a stage replaced kept
// its listener, and so itself and all it had ordered, until the session ended: one more each switch.
// Now the replaced stage lets go. The messages: Twilio's "Media Streams - WebSocket Messages"
// (twilio.com/docs/voice/media-streams/websocket-messages), Start message's `start.tracks`
// ("Values include inbound, outbound"), Media message, and a Start again for a new stream.
import assert from "node:assert/strict";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { recordingContext } from "./fixtures/recording_context.ts";
import { countedAbort } from "../_counted_abort.ts";
import { NARROWBAND_SETUP } from "./fixtures/narrowband_call.ts";
import { MULAW_SILENCE_BYTES_20MS, twilioIds, twilioMedia } from "./fixtures/twilio_call.ts";

const start = (tracks: string[], sequenceNumber: number) =>
  JSON.stringify({
    event: "start",
    sequenceNumber: String(sequenceNumber),
    start: {
      accountSid: twilioIds.account,
      streamSid: twilioIds.stream,
      callSid: twilioIds.call,
      tracks,
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      customParameters: {},
    },
    streamSid: twilioIds.stream,
  });

/** Chunk `chunk` of 20 ms of silence, its timestamp counted from the stream's start (0 ms). */
const media = (chunk: number, sequenceNumber: number) =>
  twilioMedia(MULAW_SILENCE_BYTES_20MS, chunk, { sequenceNumber, timestampMs: (chunk - 1) * 20 });

Deno.test("`OrderedMedia` replaced at a start that orders otherwise lets go of the session's signal: one listener however many starts", () => {
  const { controller: { signal }, listening } = countedAbort();
  const twilio = new TwilioSerializer();
  twilio.bind(recordingContext({ signal }).context);
  twilio.setup(NARROWBAND_SETUP);
  let sequence = 1;
  twilio.deserialize(start(["inbound"], sequence++));
  twilio.deserialize(media(1, sequence++));
  const once = listening();
  assert.ok(once >= 1, "the stage listens for the session's end");
  for (let stream = 0; stream < 10; stream++) {
    const tracks = stream % 2 === 0 ? ["inbound", "outbound"] : ["inbound"];
    twilio.deserialize(start(tracks, sequence++));
    twilio.deserialize(media(1, sequence++));
  }
  // Before: 11 (one more at each of the 10 starts).
  assert.equal(listening(), once, "abort listeners on the session's signal");
});
