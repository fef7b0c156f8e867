// The phone line: the page plays Twilio's part of a bidirectional Media Stream
// (`<Connect><Stream>`), as Twilio's "Media Streams - WebSocket Messages" page documents it
// (twilio.com/docs/voice/media-streams/websocket-messages). Every message is JSON text.
//
// From Twilio (this page): `connected` first ({event, protocol: "Call", version: "1.0.0"}),
// then `start` once (sequenceNumber "1"; start.{accountSid, streamSid, callSid, tracks,
// customParameters, mediaFormat: {encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1}}),
// then `media` (media.{track: "inbound", chunk, timestamp, payload: base64 μ-law}), `mark` back
// for each mark whose audio has played, and `stop` at the end. sequenceNumber, chunk and
// timestamp are strings; sequenceNumber counts every message after `connected` from 1, chunk
// the media messages from 1, timestamp the ms since the stream began.
//
// To Twilio (the server): `media` (audio to play, base64 μ-law 8 kHz), `mark` (echo it back once
// the audio sent before it has played) and `clear` (drop the buffered audio; the marks waiting
// behind it come back at once), each with the stream's SID. Anything else is a protocol error
// (Twilio's 31924 "Stream - WebSocket - Protocol Error"), and so is a binary message (31950).

import { mulawDecode, mulawEncode } from "./g711.js";
import { openSocket, socketUrl } from "./wideband_line.js";

export const PHONE_RATE = 8000;

function sid(prefix) {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]);
  return btoa(text);
}

function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export class PhoneLine {
  rate = PHONE_RATE;
  streamSid = sid("MZ");
  callSid = sid("CA");
  accountSid = sid("AC");
  counts = {
    mediaSent: 0,
    mediaReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    marksReceived: 0,
    marksPlayed: 0,
    marksCleared: 0,
    clears: 0,
    violations: 0,
  };
  #sequence = 0;
  #chunk = 0;

  /**
   * @param {{ audio(pcm: Int16Array): void, mark(name: string): void, clear(): void,
   *   violation(text: string): void, closed(event: CloseEvent): void }} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
  }

  /** Connects as Twilio does: `connected`, then `start` carrying the view's session id. */
  async open(session) {
    // Twilio's <Stream url> takes no query string: the session goes in customParameters.
    this.ws = await openSocket(socketUrl("phone"));
    this.ws.onerror = null;
    this.ws.onclose = (event) => this.handlers.closed(event);
    this.ws.onmessage = ({ data }) => this.#receive(data);
    this.#send({ event: "connected", protocol: "Call", version: "1.0.0" });
    this.#send({
      event: "start",
      sequenceNumber: this.#next(),
      start: {
        accountSid: this.accountSid,
        streamSid: this.streamSid,
        callSid: this.callSid,
        tracks: ["inbound"],
        customParameters: { session },
        mediaFormat: { encoding: "audio/x-mulaw", sampleRate: PHONE_RATE, channels: 1 },
      },
      streamSid: this.streamSid,
    });
  }

  /** One 20 ms frame (160 samples) of the caller's audio. */
  sendAudio(pcm) {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.#chunk++;
    this.#send({
      event: "media",
      sequenceNumber: this.#next(),
      media: {
        track: "inbound",
        chunk: String(this.#chunk),
        // The media clock: 20 ms per frame since the stream began.
        timestamp: String((this.#chunk - 1) * 20),
        payload: toBase64(mulawEncode(pcm)),
      },
      streamSid: this.streamSid,
    });
    this.counts.mediaSent++;
    this.counts.bytesSent += pcm.length;
  }

  /** A mark's audio has played, or a clear dropped it: Twilio sends the mark back. */
  ackMark(name, cleared) {
    if (cleared) this.counts.marksCleared++;
    else this.counts.marksPlayed++;
    this.#send({
      event: "mark",
      sequenceNumber: this.#next(),
      streamSid: this.streamSid,
      mark: { name },
    });
  }

  /** The caller hangs up: `stop`, then the socket closes. */
  close() {
    if (!this.ws) return;
    this.ws.onclose = null;
    if (this.ws.readyState === WebSocket.OPEN) {
      this.#send({
        event: "stop",
        sequenceNumber: this.#next(),
        streamSid: this.streamSid,
        stop: { accountSid: this.accountSid, callSid: this.callSid },
      });
    }
    this.ws.close(1000, "stop");
  }

  #next() {
    return String(++this.#sequence);
  }

  #send(message) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  #violation(text) {
    this.counts.violations++;
    this.handlers.violation(text);
  }

  #receive(data) {
    if (typeof data !== "string") {
      return this.#violation("31950: a binary message; Media Streams take JSON text only");
    }
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return this.#violation("31924: a message that is not JSON");
    }
    const { event } = message ?? {};
    if (event !== "media" && event !== "mark" && event !== "clear") {
      return this.#violation(
        `31924: Twilio takes media, mark and clear, not ${JSON.stringify(event)}`,
      );
    }
    if (message.streamSid !== this.streamSid) {
      return this.#violation(
        `31924: ${event} for stream ${message.streamSid}, not ${this.streamSid}`,
      );
    }
    if (event === "clear") {
      this.counts.clears++;
      return this.handlers.clear();
    }
    if (event === "mark") {
      const name = message.mark?.name;
      if (typeof name !== "string") return this.#violation("31924: a mark without mark.name");
      this.counts.marksReceived++;
      return this.handlers.mark(name);
    }
    const payload = message.media?.payload;
    let bytes;
    try {
      if (typeof payload !== "string") throw new TypeError("no payload");
      bytes = fromBase64(payload);
    } catch {
      return this.#violation("31924: media.payload is not base64");
    }
    this.counts.mediaReceived++;
    this.counts.bytesReceived += bytes.length;
    this.handlers.audio(mulawDecode(bytes));
  }
}
