/**
 * Where a Node echo server's time goes per message, measured inside the running server: each
 * `ws` "message" listener is timed from its call to its return, and within it the `ws.send` of the
 * echo, so the time splits into before the send (the inbound path and the send path up to the
 * socket), the send itself (`ws` framing and the `writev` system call), and after it. Turned on by
 * `--time-messages` in `bare_echo_node.ts` and `echo_server_node.ts`; reports to stderr every 5 s:
 *
 * ```text
 * time-messages: 24972 messages, µs each: 17.42 (before the send 4.58, send 11.59, after 1.25)
 * ```
 *
 * A diagnostic, not a benchmark: the clock reads it adds (four a message) cost the same on both
 * servers, and the figures are compared only between servers measured side by side.
 *
 * @module
 */

import type { WebSocket, WebSocketServer } from "ws";

/** How often the figures are reported, in milliseconds. */
const REPORT_EVERY_MS = 5000;

/** Times every message of every socket `wss` accepts from now on. */
export function timeMessages(wss: WebSocketServer): void {
  let messages = 0;
  let total = 0;
  let before = 0;
  let sending = 0;
  let after = 0;
  // Set by the send inside the listener being timed; 0 when it sent nothing (a paced echo).
  let sendStart = 0;
  let sendEnd = 0;
  const handleUpgrade = wss.handleUpgrade.bind(wss);
  wss.handleUpgrade = (request, socket, head, callback) => {
    handleUpgrade(request, socket, head, (ws: WebSocket, req) => {
      const send = ws.send.bind(ws) as (data: unknown) => void;
      ws.send = ((data: unknown) => {
        sendStart = performance.now();
        send(data);
        sendEnd = performance.now();
      }) as WebSocket["send"];
      const on = ws.on.bind(ws) as (event: string, listener: (...args: unknown[]) => void) => void;
      ws.on = ((event: string, listener: (...args: unknown[]) => void) => {
        if (event !== "message") return on(event, listener);
        return on(event, (...args: unknown[]) => {
          sendStart = 0;
          const start = performance.now();
          listener(...args);
          const end = performance.now();
          messages++;
          total += end - start;
          if (sendStart === 0) return;
          before += sendStart - start;
          sending += sendEnd - sendStart;
          after += end - sendEnd;
        });
      }) as WebSocket["on"];
      callback(ws, req);
    });
  };
  const us = (ms: number) => (1000 * ms / messages).toFixed(2);
  setInterval(() => {
    if (messages > 0) {
      console.error(
        `time-messages: ${messages} messages, µs each: ${us(total)} ` +
          `(before the send ${us(before)}, send ${us(sending)}, after ${us(after)})`,
      );
    }
    messages =
      total =
      before =
      sending =
      after =
        0;
  }, REPORT_EVERY_MS).unref();
}
