// Genesys's `playback_completed` read after a server stall teaches no lag too large. The Audio
// Connector answers no marks but says when it has played all it was sent; the transport learns
// how far behind its estimate Genesys plays as the moment it READ that report less when the
// reply's end plays by the estimate. A report that came while the event loop was stalled is read
// at the stall's end: taken at its word, Genesys seemed to play that much later, and the next
// reply's `speakingstart` came as late. Same cause, and same cure, as for marks
// (ack_during_stall_test.ts).
//
// The client is the smallest Audio Connector that reports its playback, after the one in
// tests/serializers/genesys_playback_reports_test.ts: it plays the bot's PCMU behind a 300 ms
// jitter buffer and says `playback_completed` once all it was sent has played.
import assert from "node:assert/strict";
import { type Frame, type SpeakingEvent, WebSocketTransport } from "../../mod.ts";
import { MemorySocketPair } from "../../src/testing/mod.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { openParameters } from "../serializers/fixtures/audiohook_client.ts";
import { StallClock } from "./_stall_clock_acks.ts";

const SESSION = "e160e428-53e2-487c-977d-96989bf5c99d";
/** Genesys's jitter buffer: how long after it arrives the bot's audio plays. */
const BUFFER_MS = 300;

/** Plays the bot's audio and says `playback_completed` when it has played all of it. */
class ReportingClient {
  /** What played: from `at` for `ms`. */
  readonly played: { at: number; ms: number }[] = [];
  #playsUntil = 0;
  #seq = 0;
  #serverseq = 0;
  readonly #clock: StallClock;
  readonly #socket: MemorySocketPair["client"];

  constructor(pair: MemorySocketPair, clock: StallClock) {
    this.#clock = clock;
    this.#socket = pair.client;
    this.#socket.addEventListener("message", (event) => {
      const data = (event as MessageEvent).data;
      if (typeof data === "string") this.#serverseq = JSON.parse(data).seq;
      else this.#play((data as ArrayBuffer).byteLength / 8); // PCMU at 8 kHz
    });
  }

  open(): void {
    const media = [{ type: "audio", format: "PCMU", channels: ["external"], rate: 8000 }];
    // `inputVariables` make it an Audio Connector session: one that takes the bot's audio.
    this.#send("open", openParameters(media, { accountNumber: "1234" }));
  }

  /** When the first of the bot's audio played from `after` on began to play. */
  playedFrom(after: number): number {
    return this.played.find((span) => span.at >= after)!.at;
  }

  #play(ms: number): void {
    const now = this.#clock.now();
    const at = Math.max(now + BUFFER_MS, this.#playsUntil);
    this.#playsUntil = at + ms;
    this.played.push({ at, ms });
    const until = this.#playsUntil;
    void this.#clock.sleep(until - now).then(() => {
      if (this.#playsUntil === until) this.#send("playback_completed", {});
    });
  }

  #send(type: string, parameters: Record<string, unknown>): void {
    if (this.#socket.readyState !== 1) return;
    this.#socket.send(JSON.stringify({
      version: "2",
      type,
      seq: ++this.#seq,
      serverseq: this.#serverseq,
      id: SESSION,
      position: "PT0S",
      parameters,
    }));
  }
}

/** `ms` of a steady tone at 8 kHz, one response. */
function speech(ms: number, responseId: string): Frame {
  const samples = new Int16Array(ms * 8).map((_, i) => (i % 40) * 200 - 4000);
  return {
    type: "audio",
    audio: new Uint8Array(samples.buffer),
    sampleRate: 8000,
    channels: 1,
    responseId,
  };
}

Deno.test("Genesys: playback_completed read after a server stall does not delay the next reply's speakingstart", async () => {
  const clock = new StallClock();
  const pair = new MemorySocketPair();
  const transport = new WebSocketTransport(pair.server, {
    serializer: new GenesysSerializer(),
    audioIn: { sampleRate: 8000 },
    audioOut: { sampleRate: 8000, chunkMs: 20 },
    clock,
  });
  const starts: { at: number; event: SpeakingEvent }[] = [];
  transport.addEventListener("speakingstart", (event) => starts.push({ at: clock.now(), event }));
  const lags: number[] = [];
  transport.observe({ playoutLag: ({ lagMs }) => lags.push(lagMs) });
  transport.receive(() => {});
  const client = new ReportingClient(pair, clock);
  client.open();
  await clock.tick(100);
  // r0 plays 400–900: its report teaches that Genesys plays 300 ms behind the estimate.
  void transport.send(speech(500, "r0"));
  await clock.tick(1900); // t = 2000
  // r1 plays 2300–2800; its report, said at 2800, is read at 3000, after a stall.
  void transport.send(speech(500, "r1"));
  await clock.tick(700);
  await clock.stall(300);
  await clock.tick(1000); // t = 4000
  void transport.send(speech(500, "r2"));
  await clock.tick(2000);
  const r2At = client.playedFrom(4000);
  const start = starts.find((s) => s.event.responseId === "r2")!;
  // Before: 200 ms late, the stall taken for a far end that plays later.
  assert.ok(
    Math.abs(start.at - r2At) <= 20,
    `r2 played from ${r2At}, its speakingstart at ${start.at} (${start.at - r2At} ms late)`,
  );
  assert.deepEqual(lags, [BUFFER_MS], "the stall taught nothing");
  await transport.close();
});
