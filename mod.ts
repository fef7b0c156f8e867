/**
 * `@x/ws-transport` carries a real-time voice session over one WebSocket, on web standards:
 * inbound audio and messages arrive on a `ReadableStream` of frames, outbound frames go into a
 * `WritableStream` where audio is re-chunked, optionally WAV-wrapped and packetized, and paced
 * like a sound card so the far end plays it smoothly and an interruption silences it at once.
 *
 * @module
 */

export * from "./src/frames.ts";
export * from "./src/errors.ts";
export * from "./src/clock.ts";
export * from "./src/socket.ts";
export * from "./src/serializer.ts";
export * from "./src/streams/audio_chunker.ts";
export * from "./src/streams/packetizer.ts";
export * from "./src/streams/pacer.ts";
