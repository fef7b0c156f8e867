// A transport kept after its call (a list of recent calls, for their `stats`) holds none of its
// serializer's audio state: the resamplers' filter history (some 40 KB each way) and the call's
// slabs (16 KB each) go when the session is over, whatever the serializer.
import assert from "node:assert/strict";
import {
  type Frame,
  type FrameSerializer,
  type SerializedMessage,
  type SerializerAudioSetup,
  WebSocketTransport,
} from "../mod.ts";
import { TelephonyAudio } from "../src/serializers/telephony/telephony_audio.ts";
import { FakeClock, MemorySocketPair } from "../src/testing/mod.ts";
import { runWithGc } from "./_gc_script.ts";

Deno.test("an ended transport holds no more memory with a resampling serializer than with raw PCM, but for a few KB of state and no audio", async () => {
  // In a process of its own, where a full garbage collection can be asked for before measuring.
  const report = await runWithGc(new URL("./_retained_serializers_script.ts", import.meta.url)) as {
    serializer: string;
    bytesPerTransport: number;
    bufferBytesPerTransport: number;
  }[];
  const raw = report.find((r) => r.serializer === "RawPcm")!;
  const shown = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  // Raw PCM keeps no audio state: what its ended transport holds (its state and counts, about
  // 18 KB, none of it in array buffers) is the baseline. Twilio and Vonage resample both ways
  // (8 kHz on the wire, 16 kHz for the bot): until they let go, each held 105–125 KB more, two
  // resamplers' filter history (42 KB each) and the call's slabs (16 KB each); jambonz and
  // FreeSWITCH some 65 KB more (their outbound converters, made apart from the transport's
  // set-up), protobuf 15 KB more (its slab); Twilio, Telnyx, Plivo and Exotel closed without a
  // `stop` 19–23 KB more (the caller's last frames the reorder stage kept, which the resampler held
  // back, and with them the call's last slab). All of that lived in array buffers. Now what is
  // left there is the reorder stage's rings of stamps and durations (1.3 KB) or Vonage's one frame
  // being filled (320 bytes); and beyond raw PCM's, in all, 3–16 KB: the serializer itself, its
  // call's ids, its reorder and mark state.
  const overBound = report.filter((r) => r !== raw).flatMap((r) => {
    const buffers = r.bufferBytesPerTransport - raw.bufferBytesPerTransport;
    const all = r.bytesPerTransport - raw.bytesPerTransport;
    return [
      ...(buffers > 2 * 1024
        ? [`${r.serializer}: each ended transport holds ${shown(buffers)} more in array buffers`]
        : []),
      ...(all > 24 * 1024
        ? [`${r.serializer}: each ended transport holds ${shown(all)} more than raw PCM's`]
        : []),
    ];
  });
  assert.deepEqual(overBound, []);
});

/** PCM16 at 8 kHz on the wire through a `TelephonyAudio`, as a serializer of one's own would. */
class EightKilohertzPcm implements FrameSerializer {
  readonly audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });

  setup(audio: SerializerAudioSetup): void {
    this.audio.setup(audio);
  }

  serialize(frame: Frame): SerializedMessage | null {
    return frame.type === "audio" ? this.audio.encode(frame) : null;
  }

  deserialize(data: string | Uint8Array): Frame | null {
    return typeof data === "string" ? null : this.audio.decode(data);
  }

  /** The caller's last samples, which the inbound resampler held back. */
  finish(): Frame[] | null {
    const tail = this.audio.flushInbound();
    return tail === null ? null : [tail];
  }
}

Deno.test("a `TelephonyAudio` set up by a transport lets go of its resamplers once the session is over, after its serializer's `finish`", async () => {
  const clock = new FakeClock();
  const { server, client } = new MemorySocketPair();
  const serializer = new EightKilohertzPcm();
  const transport = new WebSocketTransport(server, {
    serializer,
    audioOut: { sampleRate: 16000 },
    clock,
  });
  const frames: Frame[] = [];
  transport.receive((frame) => void frames.push(frame));
  await clock.tick(0);
  client.send(new Uint8Array(320).fill(7)); // 20 ms at 8 kHz, up to the transport's 16 kHz
  await transport.send({
    type: "audio",
    audio: new Uint8Array(640).fill(7),
    sampleRate: 16000,
    channels: 1,
  });
  await clock.tick(100);
  client.close(1000);
  await transport.closed;

  // `finish` ran before the release: the caller's last samples, which the inbound resampler held
  // back, reached the bot.
  const tail = frames.at(-1);
  assert.equal(tail?.type, "audio");
  assert.ok(tail.audio.length > 0 && tail.audio.length < 640, `${tail.audio.length} bytes`);
  // The outbound resampler held the last samples of the bot's 20 ms (the serializer has no
  // `audioEnds` to send them): gone with it, nothing is left to flush.
  assert.equal(serializer.audio.flushOutbound(), null, "the outbound resampler's state");
  // Used after all (a late call of a serializer's own), it starts afresh, as after a rate change.
  const again = serializer.audio.encode({
    type: "audio",
    audio: new Uint8Array(640),
    sampleRate: 16000,
    channels: 1,
  });
  assert.equal(again?.length, 320);
});

Deno.test("a `TelephonyAudio` set up by hand keeps its resamplers as long as it lives", () => {
  const audio = new TelephonyAudio({ encoding: "pcm16le", sampleRate: 8000 });
  audio.setup({
    inputSampleRate: 16000,
    inputChannels: 1,
    outputSampleRate: 16000,
    outputChannels: 1,
  });
  audio.encode({
    type: "audio",
    audio: new Uint8Array(640).fill(7),
    sampleRate: 16000,
    channels: 1,
  });
  assert.equal(audio.flushOutbound()?.length, 4, "two samples at 8 kHz, held back");
});
