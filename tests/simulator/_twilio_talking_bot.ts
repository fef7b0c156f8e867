/**
 * A call to a Twilio Media Streams bot that talks and never stops for the caller: 100 ms after
 * Twilio's `start` it sends its answer, tone and silence alternating, as `media` messages (Twilio
 * Docs, "Media Streams - WebSocket Messages", "Send messages back to Twilio": `event`,
 * `streamSid`, `media.payload` base64 μ-law 8 kHz), all at once: the far end plays it in order.
 * Bot and simulator on one FakeClock over real sockets (./_silent_bot_call.ts): exact times.
 *
 * @module
 */

import { mulawEncode } from "../../src/audio/g711.ts";
import type { CallReport, SimulateCallOptions } from "../../src/simulator/mod.ts";
import type { FakeClock } from "../../src/testing/fake_clock.ts";
import type { CountingSocket } from "../_lockstep.ts";
import { callLockstepBot } from "./_silent_bot_call.ts";

/** `ms` of a 440 Hz tone, 8 kHz μ-law, base64, loud enough for the caller's detector. */
export function tonePayload(ms: number): string {
  const s = new Int16Array(8 * ms);
  for (let i = 0; i < s.length; i++) {
    s[i] = Math.round(9000 * Math.sin((2 * Math.PI * 440 * i) / 8000));
  }
  return btoa(String.fromCharCode(...mulawEncode(s)));
}

/** `ms` of μ-law silence, base64. */
function silencePayload(ms: number): string {
  return btoa(String.fromCharCode(...new Uint8Array(8 * ms).fill(0xff)));
}

/**
 * Calls the bot whose answer is `answer` (tone and silence, in ms, alternating, from 100 ms after
 * `start`) as Twilio, with `options`; the report when the call is over.
 */
export async function callTalkingTwilioBot(
  answer: number[],
  options: Omit<SimulateCallOptions, "protocol" | "clock" | "connect">,
): Promise<CallReport> {
  let script: Promise<void> = Promise.resolve();
  const report = await callLockstepBot({ ...options, protocol: "twilio" }, (socket, clock) => {
    const payloads = answer.map((ms, i) => i % 2 === 0 ? tonePayload(ms) : silencePayload(ms));
    script = sendAfterStart(socket, clock, payloads);
  });
  await script; // long sent by the call's end: a throw in it fails the test
  return report;
}

/**
 * The bot's side: 100 ms after Twilio's `start` on `socket`, sends `payloads` as `media` messages,
 * all at once (the far end plays them in order); resolves once they are sent.
 */
export function sendAfterStart(
  socket: CountingSocket,
  clock: FakeClock,
  payloads: string[],
): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.addEventListener("message", (e: MessageEvent) => {
      const m = JSON.parse(e.data);
      if (m.event !== "start") return;
      clock.sleep(100).then(() => {
        for (const payload of payloads) {
          socket.send(
            JSON.stringify({ event: "media", streamSid: m.streamSid, media: { payload } }),
          );
        }
      }).then(resolve, reject);
    });
  });
}
