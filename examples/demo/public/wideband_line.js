// The wideband line: the page's own protocol on `/wideband`. Binary messages are PCM16
// little-endian mono at 16 kHz both ways; the server sends `{"type":"clear"}` (text) when the
// parrot is interrupted, and the page drops what its player holds. Nothing acknowledges
// playout: the server knows what was heard only by its estimate (pacing plus the
// `playout_delay_ms` the page declares).

import { ServerUnreachable } from "./audio_io.js";

export const WIDEBAND_RATE = 16000;

/** Opens a socket to `url` and resolves once it is open; rejects when the server is not there. */
export function openSocket(url) {
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve(ws);
    // A browser says no more than "error": the server is down, or it refused this page.
    ws.onerror = () => reject(new ServerUnreachable());
  });
}

/** A socket URL for `path` (with its query) on the page's own server. */
export function socketUrl(path) {
  const url = new URL(path, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url;
}

export class WidebandLine {
  rate = WIDEBAND_RATE;
  /** What the line carried, for the page's counters. */
  counts = { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, clears: 0 };

  /**
   * @param {{ audio(pcm: Int16Array): void, clear(): void, note(text: string): void,
   *   closed(event: CloseEvent): void }} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
  }

  /** Connects for session `session`, telling the server the page plays `playoutDelayMs` late. */
  async open(session, playoutDelayMs) {
    const query = new URLSearchParams({ session, playout_delay_ms: String(playoutDelayMs) });
    this.ws = await openSocket(socketUrl(`wideband?${query}`));
    this.ws.onerror = null;
    this.ws.onclose = (event) => this.handlers.closed(event);
    this.ws.onmessage = ({ data }) => {
      if (typeof data !== "string") {
        this.counts.framesReceived++;
        this.counts.bytesReceived += data.byteLength;
        return this.handlers.audio(new Int16Array(data));
      }
      let message;
      try {
        message = JSON.parse(data);
      } catch {
        return this.handlers.note(`the server sent text that is not JSON: ${data.slice(0, 80)}`);
      }
      if (message?.type === "clear") {
        this.counts.clears++;
        return this.handlers.clear();
      }
      this.handlers.note(`the server sent ${data.slice(0, 80)}`);
    };
  }

  /** One 20 ms frame of microphone audio. */
  sendAudio(pcm) {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(pcm.buffer);
    this.counts.framesSent++;
    this.counts.bytesSent += pcm.byteLength;
  }

  close() {
    if (!this.ws) return;
    this.ws.onclose = null;
    this.ws.close(1000, "stop");
  }
}
