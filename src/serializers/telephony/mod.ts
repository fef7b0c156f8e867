/**
 * The telephony kit: the pieces the Twilio, Telnyx, Plivo, Exotel, Vonage and Genesys serializers
 * are built from, for writing a serializer for a provider this package does not ship.
 *
 * - {@linkcode TelephonyAudio}: wire audio (μ-law, A-law, PCM16 either byte order, any supported
 *   rate) ⇄ audio frames at the transport's rates, with streaming resamplers both ways;
 *   {@linkcode telephonyEncodingOf} reads a provider's name of an encoding,
 *   {@linkcode readMediaFormat} a start message's whole media format.
 * - {@linkcode JsonReader}: strict reads of a provider's JSON that name the field's path in every
 *   decode error; {@linkcode readMediaMessage} the audio of a `media` message.
 * - {@linkcode CallIds}: the stream and call ids a start message brings, the `start` frame, and
 *   the control messages addressed to the stream.
 * - {@linkcode HangUp} and {@linkcode basicAuth}: a REST hang-up, once, bounded in time
 *   ({@linkcode HangUpSerializerOptions} the options a serializer offers for it,
 *   {@linkcode HangUp.forSerializer} the hang-up they make, {@linkcode pathSegment} a far end's
 *   id in its URL).
 * - {@linkcode encodeBase64} / {@linkcode decodeBase64}: the runtime's native codec where it has
 *   one.
 * - Request signatures: {@linkcode hmacBase64}, {@linkcode timingSafeEqual}, and
 *   {@linkcode ReplayGuard} / {@linkcode MemoryReplayGuard} to refuse a signed request seen
 *   before.
 *
 * A serializer is a plain class (see `FrameSerializer`): per-provider code stays in its own file
 * and says what is particular to the provider; these pieces do the rest.
 *
 * @example A serializer for a provider of our own, end to end through a transport
 * ```ts
 * import {
 *   type Frame,
 *   type FrameSerializer,
 *   type SerializerAudioSetup,
 *   WebSocketTransport,
 * } from "@x/ws-transport";
 * import { CallIds, encodeBase64, JsonReader, TelephonyAudio } from "@x/ws-transport/telephony";
 * import { MemorySocketPair } from "@x/ws-transport/testing";
 * import assert from "node:assert/strict";
 *
 * // "Acme" sends {"event":"start","streamId","callId"}, {"event":"media","payload"} (base64
 * // μ-law, 8 kHz) and {"event":"stop"}; it takes {"event":"play","streamId","payload"} and
 * // {"event":"flush","streamId"}.
 * class AcmeSerializer implements FrameSerializer {
 *   // Every message to Acme names the stream its start message brings: the transport holds what
 *   // the bot writes until then (without it, audio written before the start would be refused).
 *   readonly awaitsStart = true;
 *   #audio = new TelephonyAudio({ encoding: "mulaw", sampleRate: 8000, provider: "Acme" });
 *   #ids = new CallIds({ provider: "Acme", streamField: "streamId" });
 *
 *   setup(audio: SerializerAudioSetup): void {
 *     this.#audio.setup(audio);
 *   }
 *
 *   serialize(frame: Frame): string | null {
 *     switch (frame.type) {
 *       case "audio": {
 *         const payload = this.#audio.encodeBase64(frame);
 *         if (payload === null) return null; // the resampler is still filling up
 *         return this.#play(payload);
 *       }
 *       case "interruption":
 *         this.#audio.reset();
 *         return this.#ids.streamEvent("flush"); // {"event":"flush","streamId":…}
 *       default:
 *         return null;
 *     }
 *   }
 *
 *   // A reply has ended: the few samples the resampler still holds of it go after it while it
 *   // plays on, or are dropped (not left to go in front of the next reply, however much later).
 *   audioEnds(playing: boolean): string | null {
 *     const tail = this.#audio.endOutbound(playing);
 *     return tail === null ? null : this.#play(encodeBase64(tail));
 *   }
 *
 *   #play(payload: string): string {
 *     return JSON.stringify({ event: "play", streamId: this.#ids.requireStreamId(), payload });
 *   }
 *
 *   deserialize(data: string | Uint8Array): Frame | null {
 *     const message = JsonReader.parse(data, "Acme"); // bad input: TransportError("decode")
 *     switch (message.string("event")) {
 *       case "start":
 *         return this.#ids.start({
 *           streamId: message.string("streamId"),
 *           callId: message.optionalString("callId"),
 *           params: {},
 *         });
 *       case "media":
 *         return this.#audio.decodeBase64(message.string("payload"));
 *       case "stop":
 *         return { type: "end", reason: "stop" };
 *       default:
 *         return { type: "message", message: message.value };
 *     }
 *   }
 * }
 *
 * const { server, client } = new MemorySocketPair();
 * const transport = new WebSocketTransport(server, { serializer: new AcmeSerializer() });
 * const received: string[] = [];
 * client.addEventListener("message", (e) => received.push((e as MessageEvent).data));
 *
 * client.send('{"event":"start","streamId":"s1","callId":"c1"}');
 * client.send(JSON.stringify({ event: "media", payload: btoa("\xff".repeat(160)) })); // 20 ms
 * const reader = transport.readable.getReader();
 * assert.deepEqual((await reader.read()).value, {
 *   type: "start",
 *   params: {},
 *   streamId: "s1",
 *   callId: "c1",
 * });
 * const audio = (await reader.read()).value;
 * assert.equal(audio?.type === "audio" && audio.sampleRate, 16000); // the transport's input rate
 * reader.releaseLock();
 *
 * await transport.interrupt();
 * await client.waitFor(() => received.length === 1);
 * assert.deepEqual(JSON.parse(received[0]!), { event: "flush", streamId: "s1" });
 * await transport.close();
 * ```
 *
 * @module
 */

export * from "./telephony_audio.ts";
export * from "./telephony_encoding.ts";
export * from "./media_format.ts";
export * from "./media_reorder.ts";
export * from "./ordered_media.ts";
export * from "./media_message.ts";
export * from "./json_reader.ts";
export * from "./call_ids.ts";
export * from "./hang_up.ts";
export * from "./basic_auth.ts";
export * from "./base64.ts";
export * from "./hmac_base64.ts";
export * from "./timing_safe_equal.ts";
export * from "./replay_guard.ts";
