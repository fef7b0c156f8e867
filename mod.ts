/**
 * `@x/ws-transport` carries a real-time voice session over one WebSocket, on web standards:
 * inbound audio and messages arrive on a `ReadableStream` of frames, outbound frames go into a
 * `WritableStream` where audio is re-chunked, optionally WAV-wrapped and packetized, and paced
 * like a sound card so the far end plays it smoothly and an interruption silences it at once.
 *
 * Runtime adapters live in their own subpaths (`@x/ws-transport/deno`, …), telephony serializers
 * likewise (`@x/ws-transport/twilio`, …), so a bundle loads only what it uses.
 *
 * @example Serve voice sessions with `deno serve`
 * ```ts ignore
 * import { upgrade } from "@x/ws-transport/deno";
 *
 * export default {
 *   async fetch(request) {
 *     const { transport, response } = await upgrade(request);
 *     if (transport) transport.readable.pipeTo(transport.writable); // an echo bot
 *     return response;
 *   },
 * } satisfies Deno.ServeDefaultExport;
 * ```
 *
 * @module
 */

export * from "./src/frames.ts";
export * from "./src/errors.ts";
export * from "./src/events.ts";
export * from "./src/playback.ts";
export * from "./src/clock.ts";
export * from "./src/socket.ts";
export * from "./src/serializer.ts";
export * from "./src/transport.ts";
export {
  assertCloseCode,
  type AudioInOptions,
  type AudioOutOptions,
  type TransportOptions,
} from "./src/transport_options.ts";
export type { SerializerCounter, TransportStats } from "./src/transport_stats.ts";
export * from "./src/serializers/raw_pcm.ts";
export * from "./src/streams/audio_chunker.ts";
export * from "./src/streams/packetizer.ts";
export * from "./src/streams/pacer.ts";
export * from "./src/streams/audio_chunker_stream.ts";
export * from "./src/streams/wav_encoder_stream.ts";
export * from "./src/streams/packetizer_stream.ts";
export * from "./src/streams/pacer_stream.ts";
export * from "./src/streams/speech_detector.ts";
export * from "./src/streams/speech_detector_stream.ts";
export * from "./src/serializers/json.ts";
export * from "./src/streams/barge_in_stream.ts";
export * from "./src/session_observer.ts";
export * from "./src/recording/call_recorder.ts";
export * from "./src/mixing/background_audio.ts";
export * from "./src/metrics/session_metrics.ts";
export * from "./src/metrics/session_metrics_snapshot.ts";
export * from "./src/metrics/metric_event.ts";
export * from "./src/metrics/session_summary_event.ts";
