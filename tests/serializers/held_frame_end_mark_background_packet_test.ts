/**
 * With background audio filling the slots, `fixedAudioPacketSize` and a far end that answers
 * marks, a stretch of the bot's speech on Vonage or Asterisk ends right before its end-of-speech
 * mark: the serializer pads the partial frame it holds and sends it. In packets, the end of that
 * frame (its padding) goes into the packetizer's partial packet; left there for the next
 * background chunk to complete, it reached the far end after the mark, which was answered before
 * it played, and its padding was never placed: the next reply was heard to begin that padding
 * sooner than it played, and the end mark's answer read as the far end running ahead. The packet
 * goes with the padded frame, before the mark.
 *
 * The far end, as documented: developer.vonage.com, Voice API, "WebSockets in the Vonage Voice
 * API": binary audio played in order; `{"action":"notify"}` answered by `websocket:notify` once
 * what was sent before it has played. docs.asterisk.org, Channel Drivers → WebSocket: media
 * queued and played in order; `STOP_MEDIA_BUFFERING <id>` answered by
 * `MEDIA_BUFFERING_COMPLETED <id>` once the media before it has played. Here it plays each binary
 * message back to back, from its arrival where it has run dry, and answers marks so.
 */
import assert from "node:assert/strict";
import type { OutboundMixer } from "../../mod.ts";
import { botAudio, WHOLE_FRAME_CALLS, wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

/** A background of whole 20 ms frames of 2s, never stopping. */
const BACKGROUND: OutboundMixer = {
  attach() {},
  mix: (chunk) => chunk,
  fill: () => ({
    type: "audio",
    audio: new Uint8Array(640).fill(2),
    sampleRate: 16000,
    channels: 1,
  }),
  detach() {},
};

/** `bytes` of the bot's speech for `responseId`, all `value`. */
function reply(bytes: number, responseId: string, value: number) {
  const audio = botAudio(bytes, responseId);
  audio.audio.fill(value);
  return audio;
}

// 20 ms chunks in 500-byte packets. "a" (960 bytes of 1s, written at 100) ends on a partial frame
// of 320 bytes, completed by the next background chunk: 320 bytes of background are held at the
// quiet time, padded with 320 of silence (10 ms) as the stretch ends before the end mark. "b"
// (3s) follows a bot's mark at 1000.
for (const call of WHOLE_FRAME_CALLS) {
  for (const lastPacket of ["pad", "drop"] as const) {
    Deno.test(`${call.name}, 500-byte packets (${lastPacket}), background: the padded end goes before the end-of-speech mark, placed`, async () => {
      const { clock, pair, transport } = wholeFrameSession(call, {
        background: BACKGROUND,
        audioOut: { sampleRate: 16000, chunkMs: 20 },
        markIntervalMs: 1000,
        fixedAudioPacketSize: 500,
        lastPacket,
      });
      let playsUntil = 0; // when the far end has played all it was sent
      const plays = new Map<number, number>(); // a reply's byte value → when it begins to play
      const wire: string[] = []; // "silence" for a binary message holding some, the marks' names
      pair.client.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data;
        const at = Math.max(clock.now(), playsUntil);
        if (typeof data !== "string") {
          const bytes = new Uint8Array(data as ArrayBuffer);
          for (const value of [1, 3]) {
            const first = bytes.indexOf(value);
            if (first >= 0 && !plays.has(value)) plays.set(value, at + first / 32); // 32 a ms
          }
          if (bytes.includes(0)) wire.push("silence");
          playsUntil = at + bytes.length / 32;
          return;
        }
        const name = data.startsWith("{")
          ? JSON.parse(data).payload?.mark
          : /^STOP_MEDIA_BUFFERING (\S+)/.exec(data)?.[1];
        if (name === undefined) return;
        wire.push(name);
        const answer = data.startsWith("{")
          ? JSON.stringify({ event: "websocket:notify", payload: { mark: name } })
          : `MEDIA_BUFFERING_COMPLETED ${name}`;
        void clock.sleep(at - clock.now()).then(() => pair.client.send(answer));
      });
      pair.client.send(call.opening);
      await clock.tick(0);
      const starts: [string | undefined, number][] = [];
      transport.addEventListener("speakingstart", (event) => {
        starts.push([(event as SpeakingEvent).responseId, clock.now()]);
      });
      const lags: number[] = [];
      transport.observe({ playoutLag: (info) => lags.push(info.lagMs) });
      await clock.tick(100);
      void transport.send(reply(960, "a", 1));
      await clock.tick(900);
      const endMark = wire.findIndex((name) => name.includes("end"));
      // Before: the end mark, then the packet holding the padding.
      assert.equal(wire[endMark - 1], "silence", `the padded frame, then the end mark: ${wire}`);
      assert.notEqual(wire[endMark + 1], "silence", `nothing of it after the mark: ${wire}`);
      void transport.send({ type: "mark", name: "after-a" });
      void transport.send(reply(960, "b", 3));
      await clock.tick(1000);
      await transport.close();
      await clock.tick(60_000);
      // Before ("pad"): "b" heard 13.125 ms before it played, the far end read 3.125 ms
      // ahead of the estimate.
      assert.deepEqual(starts, [["a", 140], ["b", plays.get(3)]]);
      assert.deepEqual(lags, [], "no lag: every end mark answered where it stands");
    });
  }
}
