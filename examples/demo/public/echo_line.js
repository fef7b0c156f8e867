// The echo line: `/ws`, the server's echo. Binary PCM16 mono 16 kHz both ways; the page sends
// `{"type":"ping","t":…}` each second and times it when it comes back (it waits behind the audio
// before it, so the round trip is the echo's); `{"type":"interrupt"}` drops what the server has
// queued; `?delay_ms=N` delays the echo.

import { openSocket, socketUrl, WIDEBAND_RATE } from "./wideband_line.js";

const PING_EVERY_MS = 1000;

export class EchoLine {
  rate = WIDEBAND_RATE;
  counts = { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, oddPackets: 0 };

  /**
   * @param {{ audio(pcm: Int16Array): void, rtt(ms: number): void,
   *   closed(event: CloseEvent): void }} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
  }

  /** Connects with the echo delayed `delayMs`, and starts pinging. */
  async open(delayMs) {
    this.ws = await openSocket(socketUrl(`ws?delay_ms=${encodeURIComponent(delayMs)}`));
    this.ws.onerror = null;
    this.ws.onclose = (event) => {
      clearInterval(this.pinger);
      this.handlers.closed(event);
    };
    this.ws.onmessage = ({ data }) => {
      if (typeof data === "string") return this.#text(data);
      this.counts.framesReceived++;
      this.counts.bytesReceived += data.byteLength;
      if (data.byteLength !== 640) this.counts.oddPackets++;
      this.handlers.audio(new Int16Array(data));
    };
    const ping = () => this.#send(JSON.stringify({ type: "ping", t: performance.now() }));
    ping();
    this.pinger = setInterval(ping, PING_EVERY_MS);
  }

  sendAudio(pcm) {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(pcm.buffer);
    this.counts.framesSent++;
    this.counts.bytesSent += pcm.byteLength;
  }

  /** Asks the server to drop the echo it has queued. */
  interrupt() {
    this.#send(JSON.stringify({ type: "interrupt" }));
  }

  close() {
    clearInterval(this.pinger);
    if (!this.ws) return;
    this.ws.onclose = null;
    this.ws.close(1000, "stop");
  }

  #send(text) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  #text(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message?.type === "ping" && typeof message.t === "number") {
      this.handlers.rtt(performance.now() - message.t);
    }
  }
}
