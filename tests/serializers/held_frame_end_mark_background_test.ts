/**
 * With background audio filling the slots, a stretch of the bot's speech that ends on a partial
 * frame (Vonage, Asterisk hold it back) leaves that frame held, completed by the background's
 * chunks, until the transport's end-of-speech mark at the quiet time, which makes the serializer
 * pad it with silence and send it. That silence plays (the far end plays what it is sent in
 * order) right after what was sent before it: it is placed there, before the mark, whose answer
 * comes once it has played. Before, it was told as a bot's mark's padding and left until the next
 * bot's mark took it: a reply after that mark, where the far end had run dry, was heard to begin
 * a padding later than it played; where the background went on, the end mark's answer read the
 * far end as a padding behind, learned as lag.
 *
 * The far end, as documented: developer.vonage.com, Voice API, "WebSockets in the Vonage Voice
 * API": binary audio of 20 ms frames (640 bytes of 16 kHz l16) played in order;
 * `{"action":"notify"}` answered by `websocket:notify` once what was sent before it has played.
 * docs.asterisk.org, Channel Drivers → WebSocket: media queued and played in order, silence
 * generated while none is queued; `STOP_MEDIA_BUFFERING <id>` answered by
 * `MEDIA_BUFFERING_COMPLETED <id>` once the media before it has played. Here it plays each binary
 * message back to back, from its arrival where it has run dry, and answers marks so.
 */
import assert from "node:assert/strict";
import type { OutboundMixer } from "../../mod.ts";
import { botAudio, WHOLE_FRAME_CALLS, wholeFrameSession } from "./fixtures/whole_frame_calls.ts";
import type { SpeakingEvent } from "../../src/playback.ts";

/** A background of whole 20 ms frames (2s), until `stopped` says it stopped. */
function background(stopped: () => boolean): OutboundMixer {
  return {
    attach() {},
    mix: (chunk) => chunk,
    fill: () =>
      stopped()
        ? undefined
        : { type: "audio", audio: new Uint8Array(640).fill(2), sampleRate: 16000, channels: 1 },
    detach() {},
  };
}

/** `bytes` of the bot's speech for `responseId`, all `value` (1s are `botAudio`'s). */
function reply(bytes: number, responseId: string, value: number) {
  const audio = botAudio(bytes, responseId);
  audio.audio.fill(value);
  return audio;
}

// 20 ms chunks, the background's whole frames: a partial frame is held only where a reply ends.
// The far end plays the background from its first frame at 0, the pacing keeping up to 40 ms of
// it queued there (its 20 ms lead, and the frame in the slot): "a", written at 100, plays at 140.
// "a" is 960 bytes: one frame, then 320 held, which its end-of-speech mark pads with 320 of
// silence (10 ms). A bot's mark at 1000 finds nothing held, and "b" (960 bytes of 3s) follows.
// Background stopped at 600: by 1000 the far end has played all it had and plays "b" as it
// arrives, at 1000 (before: at 1010 by the transport, the end mark's padding placed at the bot's
// mark). Background going on: the far end has played without a pause since the first frame at 0,
// and "b"'s first byte comes after 1040 ms of audio (33,280 bytes): it plays at 1040.
const CASES = [
  { stopsAt: 600, bPlaysAt: 1000 },
  { stopsAt: Infinity, bPlaysAt: 1040 },
];

for (const call of WHOLE_FRAME_CALLS) {
  for (const { stopsAt, bPlaysAt } of CASES) {
    const how = stopsAt === Infinity ? "going on" : "stopped";
    Deno.test(`${call.name}, background ${how}: an end-of-speech mark's padding is placed where it plays`, async () => {
      let now = () => 0;
      const { clock, pair, transport } = wholeFrameSession(call, {
        background: background(() => now() >= stopsAt),
        audioOut: { sampleRate: 16000, chunkMs: 20 },
        markIntervalMs: 1000,
      });
      now = () => clock.now();
      // The far end, from its opening on: the background fills from there.
      let playsUntil = 0; // when the far end has played all it was sent
      const plays = new Map<number, number>(); // a reply's byte value → when it begins to play
      pair.client.addEventListener("message", (event) => {
        const data = (event as MessageEvent).data;
        const at = Math.max(clock.now(), playsUntil);
        if (typeof data !== "string") {
          const bytes = new Uint8Array(data as ArrayBuffer);
          for (const value of [1, 3]) {
            const first = bytes.indexOf(value);
            if (first >= 0 && !plays.has(value)) plays.set(value, at + first / 32); // 32 a ms
          }
          playsUntil = at + bytes.length / 32;
          return;
        }
        const name = data.startsWith("{")
          ? JSON.parse(data).payload?.mark
          : /^STOP_MEDIA_BUFFERING (\S+)/.exec(data)?.[1];
        if (name === undefined) return;
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
      void transport.send({ type: "mark", name: "after-a" });
      void transport.send(reply(960, "b", 3));
      await clock.tick(1000);
      await transport.close();
      await clock.tick(60_000);
      assert.deepEqual([...plays], [[1, 140], [3, bPlaysAt]], "where the far end plays a, b");
      assert.deepEqual(starts, [["a", 140], ["b", bPlaysAt]]);
      // Before, going on: b's end mark's answer read as 10 ms late (its padding placed after it).
      assert.deepEqual(lags, [], "no lag: every end mark answered where it stands");
    });
  }
}
