/**
 * A Bun server (`@x/ws-transport/bun`) for `../bun_message_task_test.ts`: a session's bot answers
 * the caller's first audio frame inside the push surface's `receive`, in the task Bun's `message`
 * handler begins, with a reply of raw PCM written at once (20 ms chunks), and an observer
 * works 30 ms, the event loop blocked, on its first chunk. Then it sends, as one message, what the
 * observers were told of each chunk (the moves they were told applied). Prints `listening <port>`.
 *
 * @module
 */

import { upgrade, websocket } from "../../../src/adapters/bun.ts";
import { RawPcmSerializer } from "../../../src/serializers/raw_pcm.ts";
import { answerReportingPlaces } from "../_busy_first_chunk.ts";
import { serve } from "./_serve.ts";

const WORK_MS = 30;

const server = serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request, server) {
    // `?reply=20`: one chunk, which the pump sends at once; 100, five, the first two in one run.
    const replyMs = Number(new URL(request.url).searchParams.get("reply") ?? 100);
    const { transport, response } = await upgrade(request, server, {
      serializer: new RawPcmSerializer(),
      audioIn: { sampleRate: 16000, channels: 1 },
      audioOut: { sampleRate: 16000, chunkMs: 20 },
    });
    if (!transport) return response;
    answerReportingPlaces(transport, replyMs, WORK_MS);
    return response;
  },
  websocket,
});
console.log(`listening ${server.port}`);
