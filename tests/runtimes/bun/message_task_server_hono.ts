/**
 * `message_task_server.ts` on Hono's Bun adapter (`hono/bun`), for `../bun_message_task_test.ts`:
 * the same bot, its reply sent in the task Bun's `message` handler begins, which Hono's handler
 * runs in too. Bundled first (it imports Hono). Prints `listening <port>`.
 *
 * @module
 */

import { Hono } from "hono";
import { upgradeWebSocket, websocket } from "hono/bun";
import { voiceSession } from "../../../src/adapters/hono.ts";
import { RawPcmSerializer } from "../../../src/serializers/raw_pcm.ts";
import { answerReportingPlaces } from "../_busy_first_chunk.ts";
import { serve } from "./_serve.ts";

const WORK_MS = 30;

const app = new Hono().get(
  "/",
  voiceSession(upgradeWebSocket, (transport, c) => {
    // `?reply=20`: one chunk, which the pump sends at once; 100, five, the first two in one run.
    const replyMs = Number(c.req.query("reply") ?? 100);
    answerReportingPlaces(transport, replyMs, WORK_MS);
  }, {
    serializer: () => new RawPcmSerializer(),
    audioIn: { sampleRate: 16000, channels: 1 },
    audioOut: { sampleRate: 16000, chunkMs: 20 },
  }),
);
const server = serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: app.fetch as never,
  websocket: websocket as never,
});
console.log(`listening ${server.port}`);
