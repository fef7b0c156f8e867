/**
 * pipecat's `frames.proto` (package `pipecat`, proto3) as `@bufbuild/protobuf` v2 descriptors,
 * in the shape `protoc-gen-es` generates, so no code generation runs at build time:
 *
 * ```proto
 * syntax = "proto3";
 * package pipecat;
 *
 * message TextFrame { uint64 id = 1; string name = 2; string text = 3; }
 * message AudioRawFrame {
 *   uint64 id = 1; string name = 2; bytes audio = 3; uint32 sample_rate = 4;
 *   uint32 num_channels = 5; optional uint64 pts = 6;
 * }
 * message TranscriptionFrame {
 *   uint64 id = 1; string name = 2; string text = 3; string user_id = 4; string timestamp = 5;
 * }
 * message MessageFrame { string data = 1; }
 * message InterruptionFrame { uint64 id = 1; string name = 2; }
 * message Frame {
 *   oneof frame {
 *     TextFrame text = 1; AudioRawFrame audio = 2; TranscriptionFrame transcription = 3;
 *     MessageFrame message = 4; InterruptionFrame interruption = 5;
 *   }
 * }
 * ```
 *
 * The base64 string below is that file's `FileDescriptorProto` as `protoc-gen-es` embeds it
 * (`embedFileDesc(proto).base64()`); `tests/serializers/protobuf_test.ts` rebuilds it from the
 * schema above and checks that the two are identical, field by field and byte by byte.
 * Internal to `ProtobufSerializer`: not exported from the package.
 *
 * @module
 */

import type { Message } from "@bufbuild/protobuf";
import type { GenFile, GenMessage } from "@bufbuild/protobuf/codegenv2";
import { fileDesc, messageDesc } from "@bufbuild/protobuf/codegenv2";

/**
 * The descriptor of `frames.proto`.
 *
 * @ignore
 */
export const file_frames: GenFile = fileDesc(
  "CgxmcmFtZXMucHJvdG8SB3BpcGVjYXQiMwoJVGV4dEZyYW1lEgoKAmlkGAEgASgEEgwKBG5hbWUYAiABKAkSDAoEdGV4dBgDIAEoCSJ9Cg1BdWRpb1Jhd0ZyYW1lEgoKAmlkGAEgASgEEgwKBG5hbWUYAiABKAkSDQoFYXVkaW8YAyABKAwSEwoLc2FtcGxlX3JhdGUYBCABKA0SFAoMbnVtX2NoYW5uZWxzGAUgASgNEhAKA3B0cxgGIAEoBEgAiAEBQgYKBF9wdHMiYAoSVHJhbnNjcmlwdGlvbkZyYW1lEgoKAmlkGAEgASgEEgwKBG5hbWUYAiABKAkSDAoEdGV4dBgDIAEoCRIPCgd1c2VyX2lkGAQgASgJEhEKCXRpbWVzdGFtcBgFIAEoCSIcCgxNZXNzYWdlRnJhbWUSDAoEZGF0YRgBIAEoCSItChFJbnRlcnJ1cHRpb25GcmFtZRIKCgJpZBgBIAEoBBIMCgRuYW1lGAIgASgJIvEBCgVGcmFtZRIiCgR0ZXh0GAEgASgLMhIucGlwZWNhdC5UZXh0RnJhbWVIABInCgVhdWRpbxgCIAEoCzIWLnBpcGVjYXQuQXVkaW9SYXdGcmFtZUgAEjQKDXRyYW5zY3JpcHRpb24YAyABKAsyGy5waXBlY2F0LlRyYW5zY3JpcHRpb25GcmFtZUgAEigKB21lc3NhZ2UYBCABKAsyFS5waXBlY2F0Lk1lc3NhZ2VGcmFtZUgAEjIKDGludGVycnVwdGlvbhgFIAEoCzIaLnBpcGVjYXQuSW50ZXJydXB0aW9uRnJhbWVIAEIHCgVmcmFtZWIGcHJvdG8z",
);

/**
 * `pipecat.TextFrame`: text for the client to show.
 *
 * @ignore
 */
export type TextFrame = Message<"pipecat.TextFrame"> & {
  /** Field 1: the sender's frame id. */
  id: bigint;
  /** Field 2: the sender's frame name. */
  name: string;
  /** Field 3: the text. */
  text: string;
};

/**
 * The descriptor of `pipecat.TextFrame`.
 *
 * @ignore
 */
export const TextFrameSchema: GenMessage<TextFrame> = messageDesc(file_frames, 0);

/**
 * `pipecat.AudioRawFrame`: PCM16 little-endian audio, channels interleaved.
 *
 * @ignore
 */
export type AudioRawFrame = Message<"pipecat.AudioRawFrame"> & {
  /** Field 1: the sender's frame id. */
  id: bigint;
  /** Field 2: the sender's frame name. */
  name: string;
  /** Field 3: the PCM bytes. */
  audio: Uint8Array;
  /** Field 4: samples per second per channel. */
  sampleRate: number;
  /** Field 5: interleaved channels. */
  numChannels: number;
  /** Field 6: presentation timestamp in nanoseconds, when the sender has one. */
  pts?: bigint;
};

/**
 * The descriptor of `pipecat.AudioRawFrame`.
 *
 * @ignore
 */
export const AudioRawFrameSchema: GenMessage<AudioRawFrame> = messageDesc(file_frames, 1);

/**
 * `pipecat.TranscriptionFrame`: what a speech recognizer heard.
 *
 * @ignore
 */
export type TranscriptionFrame = Message<"pipecat.TranscriptionFrame"> & {
  /** Field 1: the sender's frame id. */
  id: bigint;
  /** Field 2: the sender's frame name. */
  name: string;
  /** Field 3: the transcribed text. */
  text: string;
  /** Field 4: who spoke. */
  userId: string;
  /** Field 5: when, ISO 8601. */
  timestamp: string;
};

/**
 * The descriptor of `pipecat.TranscriptionFrame`.
 *
 * @ignore
 */
export const TranscriptionFrameSchema: GenMessage<TranscriptionFrame> = messageDesc(file_frames, 2);

/**
 * `pipecat.MessageFrame`: an application message (RTVI and others) as a JSON document.
 *
 * @ignore
 */
export type MessageFrame = Message<"pipecat.MessageFrame"> & {
  /** Field 1: the JSON text. */
  data: string;
};

/**
 * The descriptor of `pipecat.MessageFrame`.
 *
 * @ignore
 */
export const MessageFrameSchema: GenMessage<MessageFrame> = messageDesc(file_frames, 3);

/**
 * `pipecat.InterruptionFrame`: the user barged in (newer pipecat servers only).
 *
 * @ignore
 */
export type InterruptionFrame = Message<"pipecat.InterruptionFrame"> & {
  /** Field 1: the sender's frame id. */
  id: bigint;
  /** Field 2: the sender's frame name. */
  name: string;
};

/**
 * The descriptor of `pipecat.InterruptionFrame`.
 *
 * @ignore
 */
export const InterruptionFrameSchema: GenMessage<InterruptionFrame> = messageDesc(file_frames, 4);

/**
 * `pipecat.Frame`: the envelope of every WebSocket message, one kind of frame at a time.
 *
 * @ignore
 */
export type Frame = Message<"pipecat.Frame"> & {
  /** The `frame` oneof. */
  frame:
    | { value: TextFrame; case: "text" }
    | { value: AudioRawFrame; case: "audio" }
    | { value: TranscriptionFrame; case: "transcription" }
    | { value: MessageFrame; case: "message" }
    | { value: InterruptionFrame; case: "interruption" }
    | { case: undefined; value?: undefined };
};

/**
 * The descriptor of `pipecat.Frame`.
 *
 * @ignore
 */
export const FrameSchema: GenMessage<Frame> = messageDesc(file_frames, 5);
