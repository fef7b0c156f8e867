// docs.asterisk.org, Configuration → Channel Drivers → WebSocket, "Control Commands and Events":
// `FLUSH_MEDIA` discards the media "queued but not sent" (chan_websocket.c handle_command: the
// queued marks with it, unanswered, and the bulk transfer ended); `START_MEDIA_BUFFERING` …
// `STOP_MEDIA_BUFFERING <id>` is a bulk transfer answered by `MEDIA_BUFFERING_COMPLETED <id>`,
// `MARK_MEDIA <id>` by `MEDIA_MARK_PROCESSED <id>`; `HANGUP` hangs the channel up and closes the
// socket at once. The serializer sends each for a frame (interruption, mark, end / cancel) and
// keeps count of what it does; sent raw in a `message` frame, none of that count would follow
// it, nor the transport's: a raw `FLUSH_MEDIA` cut only what Asterisk had queued, the reply went
// on, and the cut audio was reported heard. Far end simulated in
// fixtures/asterisk_channel_playout.ts from chan_websocket.c.
import assert from "node:assert/strict";
import type { SpeakingEvent } from "../../src/playback.ts";
import { TransportError } from "../../src/errors.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { asteriskFarEnd, mediaStart } from "./fixtures/asterisk_channel_playout.ts";
import { levelFrame, narrowbandCall } from "./fixtures/narrowband_call.ts";

const OWN: Array<[string, RegExp]> = [
  ["FLUSH_MEDIA", /FLUSH_MEDIA goes as an interruption frame/],
  ["MARK_MEDIA", /MARK_MEDIA goes as a mark frame/],
  ["START_MEDIA_BUFFERING", /START_MEDIA_BUFFERING goes as a mark frame/],
  ["STOP_MEDIA_BUFFERING", /STOP_MEDIA_BUFFERING goes as a mark frame/],
  ["HANGUP", /HANGUP goes as an end frame .* or a cancel frame/],
];

Deno.test("`AsteriskSerializer` refuses its own commands in a message frame, naming the frame that sends each", () => {
  for (const start of [mediaStart(), mediaStart({ json: true })]) {
    const asterisk = new AsteriskSerializer();
    asterisk.setup({
      inputSampleRate: 8000,
      inputChannels: 1,
      outputSampleRate: 8000,
      outputChannels: 1,
    });
    asterisk.deserialize(start);
    for (const [command, pattern] of OWN) {
      for (const message of [command, `${command} id-1`, { command, correlation_id: "id-1" }]) {
        assert.throws(
          () => asterisk.serialize({ type: "message", message }),
          (e) => e instanceof TransportError && e.code === "encode" && pattern.test(e.message),
          `${start.slice(0, 12)}: ${JSON.stringify(message)}`,
        );
      }
    }
    // Commands the serializer never sends still go as they are.
    assert.ok(asterisk.serialize({ type: "message", message: "GET_STATUS" }));
  }
});

for (const json of [false, true]) {
  Deno.test(`\`AsteriskSerializer\` (${json ? "JSON" : "plain text"}): a FLUSH_MEDIA message frame mid-reply is refused, and what is reported heard played`, async () => {
    const { clock, pair, transport } = narrowbandCall(new AsteriskSerializer());
    const log = asteriskFarEnd(clock, pair, { json, frameBytes: 160, format: "ulaw" });
    const stops: SpeakingEvent[] = [];
    const errors: TransportError[] = [];
    transport.addEventListener("speakingstop", (e) => stops.push(e));
    transport.addEventListener("error", (e) => errors.push(e.error));
    transport.receive(() => {});
    await clock.tick(10);
    transport.send(levelFrame(2005, 1000, "r1"));
    await clock.tick(500);
    // Urgent: ahead of the queued audio, as a barge-in would want it.
    transport.send({ type: "message", message: "FLUSH_MEDIA", urgent: true });
    await clock.tick(3000);
    assert.ok(
      !log.commands.some((c) => c.includes("FLUSH_MEDIA")),
      "no FLUSH_MEDIA reached Asterisk",
    );
    assert.deepEqual(errors.map((e) => e.code), ["encode"]);
    assert.match(errors[0]!.message, /FLUSH_MEDIA goes as an interruption frame/);
    // Before: the flush discarded the 60 ms Asterisk had queued, the reply went on, and the
    // speakingstop said all 2005 ms played (1960 did).
    assert.equal(stops.length, 1);
    const played = log.played.length * 20;
    assert.ok(
      played >= stops[0]!.heardMs && played - stops[0]!.heardMs < 20,
      `heard ${stops[0]!.heardMs} ms, played ${played} ms (the last frame padded)`,
    );
    await transport.close();
  });
}
