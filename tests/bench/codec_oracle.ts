/**
 * The TypeScript side of tests/bench/codec_soxr_oracle.py (soxr as pipecat runs it), shared by
 * the codec benches: `audio_bench.ts`, `codec_vs_soxr.ts` and `resampler_quality.ts`.
 *
 * @module
 */

import type { AudioFrame } from "@x/ws-transport";
import { TwilioSerializer } from "@x/ws-transport/twilio";
import { sine } from "../audio/tone.ts";

/** A running oracle process: one JSON request per line in, one JSON answer per line out. */
export class SoxrOracle {
  readonly #child: Deno.ChildProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffered = "";
  /** python-soxr's version, numpy's and Python's. */
  readonly versions: { soxr: string; numpy: string; python: string };

  private constructor(child: Deno.ChildProcess, versions: SoxrOracle["versions"]) {
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    this.versions = versions;
  }

  /** Starts the oracle; null when python3, numpy or soxr is missing. */
  static async open(): Promise<SoxrOracle | null> {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command("python3", {
        args: [new URL("./codec_soxr_oracle.py", import.meta.url).pathname],
        stdin: "piped",
        stdout: "piped",
        stderr: "null",
      }).spawn();
    } catch {
      return null;
    }
    const oracle = new SoxrOracle(child, { soxr: "", numpy: "", python: "" });
    try {
      const hello = await oracle.ask({ op: "hello" });
      Object.assign(oracle.versions, hello);
      return oracle;
    } catch {
      await oracle.close();
      return null;
    }
  }

  /** Sends one request and waits for its answer. */
  async ask(request: Record<string, unknown>): Promise<Record<string, number | string>> {
    await this.#writer.write(new TextEncoder().encode(JSON.stringify(request) + "\n"));
    while (!this.#buffered.includes("\n")) {
      const { value, done } = await this.#reader.read();
      if (done) throw new Error("the soxr oracle exited (is python3 with numpy and soxr there?)");
      this.#buffered += value;
    }
    const line = this.#buffered.slice(0, this.#buffered.indexOf("\n"));
    this.#buffered = this.#buffered.slice(line.length + 1);
    return JSON.parse(line);
  }

  /** Ends the process and waits for it. */
  async close(): Promise<void> {
    await this.#writer.close().catch(() => {});
    await this.#reader.cancel().catch(() => {});
    await this.#child.status;
  }
}

/** One second of a 1 kHz tone at 12000 peak (the oracle's signal), as mono PCM16 frames. */
export function toneFrames(sampleRate: number, chunkMs: number): AudioFrame[] {
  const bytes = new Uint8Array(sine(1000, sampleRate, sampleRate, 12000).buffer);
  const chunk = (sampleRate * chunkMs) / 1000;
  return Array.from({ length: sampleRate / chunk }, (_, i) => ({
    type: "audio" as const,
    audio: bytes.subarray(2 * i * chunk, 2 * (i + 1) * chunk),
    sampleRate,
    channels: 1,
  }));
}

/** A Twilio serializer set up for bot audio at `outputRate` and 16 kHz input, like the oracle's. */
export function twilioSerializer(outputRate: number): TwilioSerializer {
  const twilio = new TwilioSerializer({ streamSid: "MZ18ad3ab5a668481ce02b83e7395059f0" });
  twilio.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: outputRate,
    outputChannels: 1,
  });
  return twilio;
}
