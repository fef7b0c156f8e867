/**
 * The floor for the load benchmark on Deno: a bare `Deno.serve` + `Deno.upgradeWebSocket` echo
 * with the simplest fixed-deadline pacing ({@linkcode pacedEcho}): each binary message goes back
 * no earlier than `anchor + n × 20 ms − ahead`. No chunking, no serializer, one timer per
 * session at most.
 *
 * Run: `deno run -A tests/bench/bare_echo.ts [--interval-ms 20] [--ahead-ms 0] [--drop-every N]
 * [--send-view] [--streams] [--no-ping] [--marks-every N]`.
 * The first stdout line is `listening 127.0.0.1:PORT`. It exits when its stdin closes, so it never
 * outlives the harness. `--drop-every N` silently drops every Nth message: it exists so the
 * harness's own test can prove that lost echoes are counted. `--ahead-ms A` lets a message leave
 * up to A ms before its slot (the transport's `sendAheadMs`; its default is one chunk);
 * `--interval-ms 0` echoes at once with no pacing at all (a diagnostic). `--send-view` hands the
 * socket a `Uint8Array` over the message rather than the `ArrayBuffer` itself, as the transport
 * does (a diagnostic: what Deno's send path costs for a view). `--streams` passes every message
 * through a `ReadableStream` piped to a `WritableStream` on its way to the pacing (a diagnostic:
 * the least that a streams surface over a socket costs, with nothing of ours in it). `--no-ping`
 * turns Deno's keep-alive off (`idleTimeout: 0`; a diagnostic: Deno re-arms it at every message).
 * `--marks-every N` sends a `mark:NAME` text after every Nth echoed message, which the load client
 * answers at once (a diagnostic: what the runtime charges for the `responses` target's mark
 * traffic, a text each way, with nothing of ours in it; its answers are read and ignored).
 *
 * @module
 */

import { pacedEcho, pacedEchoArgs } from "./paced_echo.ts";

const FLAGS = ["--send-view", "--streams", "--no-ping"];
const sendView = Deno.args.includes("--send-view");
const throughStreams = Deno.args.includes("--streams");
const noPing = Deno.args.includes("--no-ping");
const marksFlag = Deno.args.find((arg) => arg.startsWith("--marks-every="));
const marksEvery = marksFlag === undefined ? 0 : Number(marksFlag.slice("--marks-every=".length));
const pacing = pacedEchoArgs(
  Deno.args.filter((arg) => !FLAGS.includes(arg) && arg !== marksFlag),
);

function serveSocket(socket: WebSocket): void {
  socket.binaryType = "arraybuffer";
  let sent = 0;
  const echo = pacedEcho<ArrayBuffer>({
    ...pacing,
    send: (data) => {
      if (socket.readyState !== WebSocket.OPEN) return;
      socket.send(sendView ? new Uint8Array(data) : data);
      if (marksEvery > 0 && ++sent % marksEvery === 0) socket.send(`mark:b${sent}`);
    },
  });
  let receive = (data: ArrayBuffer) => echo.receive(data);
  let end = () => {};
  if (throughStreams) {
    // A push source as a transport's readable is (enqueue as messages come), piped to a sink.
    let source!: ReadableStreamDefaultController<ArrayBuffer>;
    const readable = new ReadableStream<ArrayBuffer>({ start: (c) => void (source = c) });
    readable.pipeTo(new WritableStream({ write: (data) => echo.receive(data) })).catch(() => {});
    receive = (data) => source.enqueue(data);
    end = () => source.close();
  }
  socket.onmessage = (event: MessageEvent) => {
    if (typeof event.data !== "string") receive(event.data);
  };
  socket.onclose = () => {
    end();
    echo.close();
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
  const { socket, response } = Deno.upgradeWebSocket(request, noPing ? { idleTimeout: 0 } : {});
  serveSocket(socket);
  return response;
});

// The harness holds our stdin open; EOF means it is gone (even if it was SIGKILLed).
// Open WebSockets would hold a graceful shutdown, and there is nothing to save: exit at once.
for await (const _ of Deno.stdin.readable) { /* discard */ }
Deno.exit(0);
