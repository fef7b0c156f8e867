/**
 * Whether the bot's audio, as the transport cuts it into binary messages, keeps to Genesys's limit
 * on their number. Internal to `genesys.ts`.
 *
 * Genesys counts the server's binary messages, whatever their size: an average of 5 a second, 25
 * at once (`global.inbound.binary.*` on developer.genesys.cloud's limits page, AudioHook
 * section); past that it answers error 429 and ends the session. The transport's defaults (40 ms
 * chunks, each one message) send 25 a second: the first second of the bot's speech spends the
 * burst, and the call ends soon after. Exotel and Telnyx report a `chunkMs` their far end cannot
 * take; this is Genesys's counterpart. Apart from the serializer because it is a rule of the
 * transport's settings, judged once, not of the session.
 *
 * @module
 */

import type { SerializerAudioSetup } from "../serializer.ts";

/** The shortest binary message that keeps to Genesys's average of 5 a second. */
const MIN_MESSAGE_MS = 200;

/**
 * What the "encode" error to report says when the transport's settings send the bot's audio in
 * binary messages shorter than 200 ms (more than 5 a second while the bot speaks), else
 * `undefined`. Each message is one packet of `fixedAudioPacketSize` bytes of PCMU at 8 kHz (8
 * bytes a millisecond) when that is set, else one chunk of `audioOut.chunkMs`; nothing is judged
 * where neither is known (a serializer set up by hand). Words, not the error: an error made
 * during the set-up and kept by the serializer until the `open` would keep the ended session for
 * as long as a bot keeps the serializer (V8 keeps what its stack's frames held).
 */
export function binaryRateProblem(setup: SerializerAudioSetup): string | undefined {
  const packetBytes = setup.outputPacketBytes;
  const messageMs = packetBytes !== undefined ? packetBytes / 8 : setup.outputChunkMs;
  if (messageMs === undefined || messageMs >= MIN_MESSAGE_MS) return undefined;
  const cut = packetBytes !== undefined
    ? `fixedAudioPacketSize ${packetBytes} (${messageMs} ms of PCMU)`
    : `audioOut.chunkMs ${messageMs} without fixedAudioPacketSize`;
  const perSecond = Math.round(10_000 / messageMs) / 10;
  return `genesys: ${cut} sends the bot's speech in ${perSecond} binary messages a second, and ` +
    "Genesys takes 5 a second on average (25 at once), then ends the session with error 429: " +
    "set fixedAudioPacketSize: 1600 (200 ms)";
}
