/**
 * The frames that flow through a transport: inbound from `transport.readable`, outbound into
 * `transport.writable`. Plain objects with a `type` discriminant, so they cost nothing to create
 * and survive `structuredClone` and JSON (audio aside).
 *
 * @module
 */

/** Audio: PCM, 16-bit signed little-endian samples, channels interleaved. */
export interface AudioFrame {
  /** Discriminant. */
  type: "audio";
  /**
   * The PCM bytes (`channels × 2` bytes per sample frame). Ownership: a transport reads them
   * while `send` (or the writable's `write`) runs and copies what it keeps queued, so a writer may
   * reuse its buffer once the call returns; it never modifies them. Inbound frames' bytes are
   * the reader's to keep. Send `audio` on, not `audio.buffer`: the buffer may hold more than the
   * frame. A frame read from a message's bytes is a view of that message; a frame the transport
   * decoded or resampled (telephony serializers; protobuf at another rate or channel count) is
   * cut from a buffer its session keeps for its inbound frames, so it shares the buffer with the
   * same call's frames before and after it, never with another call's audio or the bot's.
   * Transfer `audio.slice()` (`postMessage(copy, [copy.buffer])`): transferring `audio.buffer`
   * itself empties the frames it shares it with (later frames are not harmed).
   */
  audio: Uint8Array;
  /** Samples per second per channel, e.g. 16000. */
  sampleRate: number;
  /** Interleaved channels, 1 for mono. */
  channels: number;
  /**
   * Outbound: the response (one utterance of the bot) this audio belongs to. Audio with the same
   * id is one response, a new id starts the next; after an interruption, audio of a response
   * written before it is dropped as stale (see `transport.startResponse` for untagged audio).
   * Ids must not repeat. Without one the audio is paced and sent exactly as any other. The
   * transport remembers the 1024 responses heard last, each frame of a response hearing it: a
   * stale response that stays silent while 1024 others begin, then sends again, is taken for a
   * new one and sent.
   */
  responseId?: string;
  /**
   * Inbound: where this audio starts on the provider's media timeline, in milliseconds since
   * the stream began, where the protocol numbers or timestamps its media (Twilio, Telnyx, Plivo,
   * Exotel). Gaps the transport filled with silence carry theirs too.
   */
  timestampMs?: number;
}

/** An application message: any JSON-able value (RTVI messages, bot events, …). */
export interface MessageFrame {
  /** Discriminant. */
  type: "message";
  /** The message; it must survive `JSON.stringify`. */
  message: unknown;
  /**
   * Outbound only: send before any queued audio instead of in order with it. Before sending has
   * begun (the socket connecting, the serializer's set-up, the far end's start where its
   * serializer `awaitsStart`), urgent messages wait, in order, and leave first once it has.
   */
  urgent?: boolean;
}

/** Plain text, e.g. a bot's reply to be shown, or spoken by a far end that speaks text. */
export interface TextFrame {
  /** Discriminant. */
  type: "text";
  /** The text. */
  text: string;
  /**
   * Outbound: the response this text belongs to, as an audio frame's `responseId`. Where the far
   * end speaks text (`FrameSerializer.speaksText`: ConversationRelay), text of a response
   * interrupted before it was written is dropped as stale, as audio is; untagged text belongs to
   * the response begun by `transport.startResponse`, if any.
   */
  responseId?: string;
}

/** What a speech recognizer heard. */
export interface TranscriptionFrame {
  /** Discriminant. */
  type: "transcription";
  /** The transcribed text. */
  text: string;
  /** Who spoke. */
  userId: string;
  /** When, as an ISO 8601 string. */
  timestamp: string;
  /**
   * The language the recognizer heard, as the provider names it (a BCP 47 tag such as `en-US`),
   * where it says: ConversationRelay's `prompt` `lang`. pipecat's `TranscriptionFrame.language`;
   * its protobuf wire has no such field, so the protobuf serializer leaves it out.
   */
  language?: string;
}

/** A telephone keypad press. */
export interface DtmfFrame {
  /** Discriminant. */
  type: "dtmf";
  /** "0"–"9", "*", "#" or "A"–"D". */
  digit: string;
}

/**
 * A named point in the outbound audio. Outbound: ask the far end to say when the audio written
 * before it has played. Inbound: the far end says the audio before the mark has played.
 */
export interface MarkFrame {
  /** Discriminant. */
  type: "mark";
  /** The mark's name, echoed back by the far end. */
  name: string;
}

/** The user barged in: drop every queued byte of outbound audio at once. */
export interface InterruptionFrame {
  /** Discriminant. */
  type: "interruption";
}

/** Inbound: a provider's call metadata, sent once when the media stream starts. */
export interface StartFrame {
  /** Discriminant. */
  type: "start";
  /** The provider's media stream id, when it has one. */
  streamId?: string;
  /** The provider's call id, when it has one. */
  callId?: string;
  /** Custom parameters passed with the call. */
  params?: Record<string, string>;
  /**
   * `true` when no call is behind the session: the far end only checks that the server answers
   * (Genesys AudioHook's connection probe), and closes at once. A bot should not greet it.
   */
  probe?: boolean;
}

/** Outbound: finish the queued audio, then hang up. Inbound: the remote side stopped. */
export interface EndFrame {
  /** Discriminant. */
  type: "end";
  /** Why, when known. */
  reason?: string;
}

/** Outbound: hang up at once, dropping queued audio; frames sent after it are dropped and counted. */
export interface CancelFrame {
  /** Discriminant. */
  type: "cancel";
  /**
   * The code the socket closes with once the goodbye is said (before the socket opens nothing can
   * be said: the close begins at once, as `close()`'s does, the socket given `closeTimeoutMs` to
   * open and then as long for the peer's answer): 1000, the default, or another an application
   * may send (see `assertCloseCode`; any other is refused as a bad frame), e.g. 1001 "going away"
   * for a server shutting down, as the adapters' `shutdownSignal` sends it.
   */
  closeCode?: number;
  /** The close's reason: `"cancelled"` by default. */
  reason?: string;
}

/** Every frame a transport reads or writes. */
export type Frame =
  | AudioFrame
  | MessageFrame
  | TextFrame
  | TranscriptionFrame
  | DtmfFrame
  | MarkFrame
  | InterruptionFrame
  | StartFrame
  | EndFrame
  | CancelFrame;

/** The `type` of every frame. */
export type FrameType = Frame["type"];
