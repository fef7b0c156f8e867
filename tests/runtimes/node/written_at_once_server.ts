/**
 * A Node server (`node:http` + `ws`, through `@x/ws-transport/node`) for
 * `../node_written_at_once_test.ts`: each session, once open, writes a 100 ms reply of raw PCM
 * at once (20 ms chunks: its first two leave in one run of the pump) and an observer works 30 ms,
 * the event loop blocked, on its first chunk, as a heavy observer or a GC pause would. Then it
 * sends, as one text message, what the observers were told of each chunk (the moves they were
 * told applied) and whether `ws` had written the first chunk to the kernel by the time its
 * observers heard of it (`bufferedAmount` 0). Prints `listening <port>`.
 *
 * @module
 */

import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { upgradeHandler } from "../../../src/adapters/node.ts";
import { RawPcmSerializer } from "../../../src/serializers/raw_pcm.ts";
import { busyFirstChunk } from "../_busy_first_chunk.ts";

const BYTES_PER_MS = 32; // 16 kHz mono PCM16
const WORK_MS = 30;

const wss = new WebSocketServer({ noServer: true });
const server = createServer();
server.on(
  "upgrade",
  upgradeHandler(wss, (transport) => {
    let firstLeft: boolean | undefined;
    const { observer, told } = busyFirstChunk(WORK_MS, () => {
      // `ws` counts what it has not yet written to the kernel (`_writableState.length`).
      const [raw] = wss.clients as Set<{ bufferedAmount: number }>;
      firstLeft = raw?.bufferedAmount === 0;
    });
    transport.observe(observer);
    transport.addEventListener("connected", () => {
      setTimeout(() => {
        void transport.send({
          type: "audio",
          audio: new Uint8Array(100 * BYTES_PER_MS).fill(7),
          sampleRate: 16000,
          channels: 1,
        });
        setTimeout(() => {
          const places = told.map(({ position, playsAt, sentAt }) => ({
            position,
            playsAt,
            sentAt,
          }));
          void transport.send({ type: "message", message: { firstLeft, places } });
        }, 300);
      }, 20);
    });
  }, { serializer: () => new RawPcmSerializer(), audioOut: { sampleRate: 16000, chunkMs: 20 } }),
);
server.listen(0, "127.0.0.1", () => {
  const address = server.address() as { port: number };
  console.log(`listening ${address.port}`);
});
