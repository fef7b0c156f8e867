/**
 * The floor for the load benchmark: a bare `Deno.serve` + `Deno.upgradeWebSocket` echo with the
 * simplest fixed-deadline pacing. Each binary message goes back no earlier than
 * `anchor + n × 20 ms` (n counts messages since the anchor); the anchor is reset when the session
 * is idle (nothing queued and the next slot already in the past). No chunking, no serializer, one
 * timer per session at most.
 *
 * Run: `deno run -A tests/bench/bare_echo.ts [--interval-ms 20] [--ahead-ms 0] [--drop-every N]`. The first stdout
 * line is `listening 127.0.0.1:PORT`. It exits when its stdin closes, so it never outlives the
 * harness. `--drop-every N` silently drops every Nth message: it exists so the harness's own test
 * can prove that lost echoes are counted. `--ahead-ms A` lets a message leave up to A ms before
 * its slot (the transport's `sendAheadMs`; its default is one chunk); `--interval-ms 0` echoes at
 * once with no pacing at all (a diagnostic).
 *
 * @module
 */

import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "interval-ms": { type: "string", default: "20" },
    "ahead-ms": { type: "string", default: "0" },
    "drop-every": { type: "string", default: "0" },
  },
});
const intervalMs = Number(values["interval-ms"]);
const aheadMs = Number(values["ahead-ms"]);
const dropEvery = Number(values["drop-every"]);
if (!(intervalMs >= 0)) throw new RangeError(`--interval-ms must be >= 0, got ${intervalMs}`);
if (!(aheadMs >= 0)) throw new RangeError(`--ahead-ms must be >= 0, got ${aheadMs}`);
if (!(dropEvery >= 0)) throw new RangeError(`--drop-every must be >= 0, got ${dropEvery}`);

function serveSocket(socket: WebSocket): void {
  socket.binaryType = "arraybuffer";
  let anchor = NaN;
  let scheduled = 0;
  let received = 0;
  // Pending echoes with their deadlines; a plain array used as a FIFO (it is almost always empty
  // or one long, so shift() costs nothing here).
  const queue: ArrayBuffer[] = [];
  const deadlines: number[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    timer = undefined;
    const now = performance.now();
    while (deadlines.length > 0 && deadlines[0]! <= now) {
      deadlines.shift();
      const data = queue.shift()!;
      if (socket.readyState === WebSocket.OPEN) socket.send(data);
    }
    if (deadlines.length > 0) timer = setTimeout(flush, deadlines[0]! - now);
  };

  socket.onmessage = (event: MessageEvent) => {
    if (typeof event.data === "string") return;
    received++;
    if (dropEvery > 0 && received % dropEvery === 0) return;
    const now = performance.now();
    if (!(now <= anchor + scheduled * intervalMs)) {
      anchor = now;
      scheduled = 0;
    }
    const deadline = anchor + scheduled * intervalMs - aheadMs;
    scheduled++;
    if (deadline <= now && queue.length === 0) {
      socket.send(event.data);
      return;
    }
    queue.push(event.data);
    deadlines.push(deadline);
    if (timer === undefined) timer = setTimeout(flush, deadline - now);
  };
  socket.onclose = () => {
    clearTimeout(timer);
    queue.length = 0;
    deadlines.length = 0;
  };
}

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ hostname, port }) => console.log(`listening ${hostname}:${port}`),
}, (request) => {
  if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
    return new Response("websocket only", { status: 426 });
  }
  const { socket, response } = Deno.upgradeWebSocket(request);
  serveSocket(socket);
  return response;
});

// The harness holds our stdin open; EOF means it is gone (even if it was SIGKILLed).
// Open WebSockets would hold a graceful shutdown, and there is nothing to save: exit at once.
for await (const _ of Deno.stdin.readable) { /* discard */ }
Deno.exit(0);
