/**
 * An echo bot on the transport's push surface (`receive` / `send`: no streams) with the demo's
 * outbound settings (16 kHz, 20 ms chunks, 640-byte packets, 60 ms ahead), served on 127.0.0.1
 * port 0 for the load benchmark. With `--responses`, the bot tags its audio with a response id
 * (a new one every `--response-ms`) and speaks a protocol whose far end acknowledges playout
 * (binary audio, `mark:NAME` text echoed back by the load client), so the transport's playback
 * tracking runs in full: its own marks (every 250 ms, spreading to 1 s as the acknowledgements
 * agree), acknowledgements, speaking events. With
 * `--unacked` as well, the same bot speaks raw PCM with no marks: response ids and speaking
 * events by the pacing estimate alone (what the acknowledgements add is the difference). With
 * `--max-mark-interval-ms N` (with `--responses`), the marks spread to one every N ms while the
 * acknowledgements agree (`maxMarkIntervalMs`; the transport's default is 1000). With
 * `--record`, each session is also recorded as heard (`CallRecorder`, stereo 16 kHz WAV read to a
 * sink that discards it): what recording costs, beside the same server without it. Diagnostics:
 * `--no-listen` (with `--responses`: no speaking listeners), `--streams` (the echo through
 * `readable.pipeTo(writable)` instead; with `--transform`, through
 * `readable.pipeThrough(new TransformStream()).pipeTo(writable)`, the README's pattern with a bot
 * that passes each frame on), `--no-ping` (Deno's keep-alive off, `idleTimeout: 0`),
 * `--tick-ms N` (an empty `setInterval` of N ms beside it: what N-ms wake-ups of the event loop
 * cost by themselves), `--copy` (the echo sends a new frame object per chunk, as the `--responses`
 * bot does to carry its response id: the bot's share of what tracking seems to cost).
 *
 * Run: `deno run -A tests/bench/push_server.ts [--responses [--unacked] [--no-listen]] [--record]
 * [--max-mark-interval-ms N] [--streams [--transform]] [--no-ping] [--tick-ms N] [--copy] [--response-ms 2000]`.
 * The first stdout line is `listening 127.0.0.1:PORT`; it exits when its stdin closes.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CallRecorder, type Frame, RawPcmSerializer } from "../../mod.ts";
import { AckingSerializer, respondingEcho } from "./_responses_bot.ts";
import { upgrade } from "../../src/adapters/deno.ts";
import { DEMO_SEND_AHEAD_MS } from "../../examples/demo/handler.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    responses: { type: "boolean", default: false },
    unacked: { type: "boolean", default: false },
    record: { type: "boolean", default: false },
    streams: { type: "boolean", default: false },
    transform: { type: "boolean", default: false },
    "no-ping": { type: "boolean", default: false },
    "no-listen": { type: "boolean", default: false },
    copy: { type: "boolean", default: false },
    "tick-ms": { type: "string", default: "0" },
    "response-ms": { type: "string", default: "2000" },
    "max-mark-interval-ms": { type: "string" },
  },
});
const responseMs = Number(values["response-ms"]);
if (Number(values["tick-ms"]) > 0) setInterval(() => {}, Number(values["tick-ms"])); // a diagnostic

const server = Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ hostname, port }) => console.log(`listening ${hostname}:${port}`),
}, async (request) => {
  const { transport, response } = await upgrade(request, {
    serializer: values.responses && !values.unacked
      ? new AckingSerializer()
      : new RawPcmSerializer(),
    audioIn: { sampleRate: 16000, channels: 1 },
    audioOut: { sampleRate: 16000, channels: 1, chunkMs: 20 },
    fixedAudioPacketSize: 640,
    sendAheadMs: DEMO_SEND_AHEAD_MS,
    ...(values["max-mark-interval-ms"] === undefined
      ? {}
      : { maxMarkIntervalMs: Number(values["max-mark-interval-ms"]) }),
    ...(values["no-ping"] ? { idleTimeout: 0 } : {}),
  });
  if (!transport) return response;
  if (values.record) {
    const recorder = new CallRecorder({ sampleRate: 16000 });
    transport.observe(recorder);
    recorder.readable.pipeTo(new WritableStream()).catch(() => {});
  }
  if (values.streams && values.transform) {
    transport.readable.pipeThrough(new TransformStream<Frame, Frame>()).pipeTo(transport.writable)
      .catch(() => {});
  } else if (values.streams) {
    transport.readable.pipeTo(transport.writable).catch(() => {});
  } else if (values.responses) {
    respondingEcho(transport, responseMs, { listen: !values["no-listen"] });
  } else if (values.copy) {
    // A new frame object per chunk, as `respondingEcho` makes to carry its response id.
    transport.receive((frame) => {
      if (frame.type !== "audio") return;
      transport.send({
        type: "audio",
        audio: frame.audio,
        sampleRate: frame.sampleRate,
        channels: frame.channels,
      });
    });
  } else {
    transport.receive((frame) => {
      if (frame.type === "audio") transport.send(frame);
    });
  }
  return response;
});

for await (const _ of Deno.stdin.readable) { /* discard */ }
await server.shutdown().catch(() => {});
Deno.exit(0);
