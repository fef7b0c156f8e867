// The simulated Telnyx in G722 (wideband) both ways, against a bot on our Telnyx serializer with
// `outboundEncoding: "g722"`, end to end on one FakeClock. Telnyx's stream codec (`stream_codec`)
// and bidirectional codec (`stream_bidirectional_codec`, TeXML <Stream>'s `bidirectionalCodec`)
// may be G722 (developers.telnyx.com/api-reference/call-commands/streaming-start and
// developers.telnyx.com/docs/voice/programmable-voice/texml-verbs/stream); media frames carry
// "base64-encoded RTP payloads (no headers)", bidirectional ones 20 ms to 30 s of audio, and a
// mark sent back comes back once the audio before it has played
// (developers.telnyx.com/api-reference/websockets/stream-call-media-over-websocket). A G.722 RTP
// payload is the codec's bytes, one per two samples at 16 kHz: 160 bytes for 20 ms; its RTP clock
// is 8000 (RFC 3551 §4.5.2), which the reference leaves `media_format.sample_rate` to say.
import assert from "node:assert/strict";
import { G722Decoder, G722Encoder } from "../../src/audio/g722.ts";
import type { Frame } from "../../src/frames.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { TelnyxFarEnd } from "../../src/simulator/far_ends/telnyx.ts";
import { syntheticCaller } from "../../src/simulator/mod.ts";
import { type BotOptions, callBot } from "./_bot.ts";
import { expectUsage, runCli } from "./_cli.ts";
import { farEndContext } from "./far_ends/_context.ts";

const RATE = 16000;
const G722 = { encoding: "G722", playbackEncoding: "G722" };

/** Our Telnyx serializer in G722 both ways, keeping what the bot was given. */
class ListeningTelnyx extends TelnyxSerializer {
  /** The caller's audio as the bot got it, 16 kHz. */
  readonly heard: number[] = [];
  /** Telnyx's `start` message as it came. */
  start: Record<string, unknown> | undefined;

  constructor() {
    super({ outboundEncoding: "g722" });
  }

  override deserialize(data: string | Uint8Array): Frame | Frame[] | null {
    if (typeof data === "string" && data.includes('"start"')) {
      this.start ??= JSON.parse(data).start;
    }
    const frames = super.deserialize(data);
    for (const frame of [frames].flat()) {
      if (frame?.type !== "audio") continue;
      const { audio } = frame;
      this.heard.push(...new Int16Array(audio.buffer, audio.byteOffset, audio.byteLength >> 1));
    }
    return frames;
  }
}

/** RMS level of `samples[from, to)` in dBFS. */
function levelDbfs(samples: ArrayLike<number>, from: number, to: number): number {
  let energy = 0;
  for (let i = from; i < to; i++) energy += samples[i]! ** 2;
  return 10 * Math.log10(energy / (to - from) / 32768 ** 2);
}

/** One call in G722 both ways; the bot answers each utterance 500 ms after it with 800 ms of tone. */
async function g722Call(
  bot: Partial<BotOptions>,
  call: Omit<Parameters<typeof callBot>[1], "protocol" | "platform">,
) {
  const telnyx = new ListeningTelnyx();
  const { report, session } = await callBot(
    { serializer: () => telnyx, sampleRate: RATE, answerDelayMs: 500, answerMs: 800, ...bot },
    { protocol: "telnyx", platform: G722, ...call },
  );
  return { report, session, telnyx };
}

Deno.test("simulateCall as Telnyx in G722: the caller's speech reaches the bot as spoken, the bot is heard, marks come back", async () => {
  const caller = syntheticCaller({ utterancesMs: [1000, 1200], pauseMs: 2000 });
  const spoken = new Int16Array((caller.pcm as Uint8Array).slice().buffer);
  const { report, session, telnyx } = await g722Call({}, {
    audio: caller,
    lingerMs: 1500,
    record: true,
  });
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(report.ended.by, "caller", report.ended.detail);
  assert.deepEqual((telnyx.start as { media_format?: unknown })?.media_format, {
    encoding: "G722",
    sample_rate: 8000,
    channels: 1,
  });

  // The caller's audio, all of it (and the silence streamed after it until the hang-up), at its
  // level in each utterance, and silent between them: G.722 decoded by the bot as it was coded.
  assert.ok(
    telnyx.heard.length >= spoken.length,
    `the bot got ${telnyx.heard.length / 16} ms of ${spoken.length / 16}`,
  );
  for (const { startMs, endMs } of caller.speechSegments!) {
    const from = startMs * 16;
    const to = endMs * 16;
    const said = levelDbfs(spoken, from, to);
    const got = levelDbfs(telnyx.heard, from, to);
    assert.ok(Math.abs(got - said) < 0.2, `${startMs}–${endMs} ms: ${got} dBFS, said ${said}`);
  }
  const [first, second] = caller.speechSegments!;
  const pause = levelDbfs(telnyx.heard, (first!.endMs + 20) * 16, (second!.startMs - 20) * 16);
  assert.ok(pause < -60, `${pause} dBFS between utterances`);

  // The bot answered each utterance in 500 ms, and the caller heard all 800 ms of each answer.
  assert.equal(report.utterances.length, 2);
  for (const u of report.utterances) {
    assert.ok(Math.abs(u.latencyMs! - 500) <= 20, `latency ${u.latencyMs} ms`);
  }
  assert.equal(report.audio.playedMs, 1600);
  assert.equal(report.audio.underruns, 0);
  // Heard as sent: the bot's 440 Hz tone of amplitude 9000 (-14.2 dBFS) on the recording's
  // right channel, 16 kHz stereo. The bot sends it in 20 ms pieces, each 8.8 cycles from phase 0:
  // 18 zero crossings a piece, 630 in 700 ms.
  const wav = report.recording!;
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  assert.equal(view.getUint32(24, true), RATE);
  const start = Math.round(report.utterances[0]!.responseStartMs! * 16) + 160;
  const answer = Array.from(
    { length: 700 * 16 },
    (_, i) => view.getInt16(44 + (start + i) * 4 + 2, true),
  );
  const level = levelDbfs(answer, 0, answer.length);
  assert.ok(Math.abs(level - -14.2) < 0.5, `the answer at ${level} dBFS`);
  const crossings = answer.filter((s, i) => i > 0 && (s >= 0) !== (answer[i - 1]! >= 0)).length;
  assert.ok(Math.abs(crossings - 630) <= 4, `${crossings} zero crossings in 700 ms`);

  // Each mark came back once the answer before it had played.
  assert.equal(report.marks.requested, 2);
  assert.equal(report.marks.acked, 2);
  for (const [i, mark] of session.marks.entries()) {
    const played = mark.atMs - session.answers[i]!.atMs;
    assert.ok(played >= 790 && played <= 800, `${mark.name} acked ${played} ms after sending`);
  }
});

Deno.test("simulateCall as Telnyx in G722: a barge-in reaches the bot, its clear stops the answer", async () => {
  const { report, session } = await g722Call(
    { answerDelayMs: 300, answerMs: 3000, onBargeIn: "interrupt" },
    {
      audio: syntheticCaller({ utterancesMs: [600], pauseMs: 1000 }),
      bargeIn: { afterMs: 400, durationMs: 800, count: 1 },
      hangUpAtMs: 7000,
    },
  );
  assert.deepEqual(report.violations, [], JSON.stringify(report.violations));
  assert.equal(report.bargeIns.length, 1);
  const [bargeIn] = report.bargeIns;
  assert.equal(bargeIn!.atMs, report.utterances[0]!.responseStartMs! + 400);
  assert.equal(session.interrupts.length, 1, "the bot heard the barge-in");
  assert.ok(bargeIn!.clearAtMs !== null, "the bot cleared");
  assert.ok(bargeIn!.stopLatencyMs! <= 50, `stopped after ${bargeIn!.stopLatencyMs} ms`);
  assert.equal(bargeIn!.staleAudioMs, 0);
  // The cut answer's mark was never sent; the barge-in's answer was heard to its end, marked.
  assert.equal(session.answers.length, 2, "the barge-in was answered");
  assert.deepEqual(session.marks.map((m) => m.name), ["answer-2"]);
  assert.equal(report.marks.acked, 1);
});

Deno.test("each simulated Telnyx call codes G722 with its own encoder and decoder", () => {
  // G.722 carries its state from one message to the next: two calls' messages interleaved through
  // one codec would each come out wrong. Each far end must code as a fresh codec would alone.
  const tone = new Int16Array(320).map((_, i) => Math.round(8000 * Math.sin(i / 3)));
  const watch = (farEnd: TelnyxFarEnd) => {
    const payloads: string[] = [];
    const played: Int16Array[] = [];
    farEnd.open(farEndContext({
      send: (message) => {
        const { event, media } = JSON.parse(message as string);
        if (event === "media") payloads.push(media.payload);
      },
      play: (samples) => played.push(samples.slice()),
    }));
    return { payloads, played };
  };
  const farEnds = [new TelnyxFarEnd(G722), new TelnyxFarEnd(G722)];
  assert.equal(farEnds[0]!.caller.sampleRate, RATE);
  assert.equal(farEnds[0]!.playbackRate, RATE);
  const seen = farEnds.map(watch);
  const botEncoder = new G722Encoder();
  const botMessages = [0, 1, 2].map(() => botEncoder.encode(tone).slice());
  for (const bytes of botMessages) {
    for (const farEnd of farEnds) {
      farEnd.sendAudio(tone);
      farEnd.receive(JSON.stringify({ event: "media", media: { payload: bytes.toBase64() } }));
    }
  }
  const encoder = new G722Encoder();
  const expectedPayloads = [0, 1, 2].map(() => encoder.encode(tone).toBase64());
  const decoder = new G722Decoder();
  const expectedPlayed = botMessages.map((bytes) => decoder.decode(bytes).slice());
  for (const { payloads, played } of seen) {
    assert.deepEqual(payloads, expectedPayloads);
    assert.deepEqual(played, expectedPlayed);
  }
});

Deno.test("the simulate CLI takes G722 for Telnyx, streamed and played", async () => {
  const url = "ws://127.0.0.1:9/"; // nothing listens: a call tried is exit 1, not usage
  await expectUsage(url, [
    // G722's rate is the codec's own: no choice of it, as for PCMU.
    [
      ["-p", "telnyx", "--playback-encoding", "G722", "--rate", "16000"],
      /--rate 16000: telnyx offers no choice/,
    ],
  ], [
    ["-p", "telnyx", "--encoding", "G722", "--playback-encoding", "G722"],
    ["-p", "telnyx", "--playback-encoding", "g722"],
  ]);
  const { stdout: text } = await runCli(["--help"]);
  assert.match(text, /telnyx\s+PCMU,\s+PCMA,\s+L16\s+or\s+G722/);
  assert.match(text, /PCMU,\s+the\s+default,\s+PCMA,\s+L16\s+or\s+G722/);
});
