/**
 * `WorkerdCloses` on a stand-in for a Workers socket, in the order the Workers adapter listens:
 * the fix-up's close listener, then the transport's listeners, then the fix-up's error listener.
 * What workerd itself does is in `cloudflare_test.ts`; these pin the order listeners hear things
 * in and that they hear one close, whatever workerd sends later.
 */

import assert from "node:assert/strict";
import { WorkerdCloses } from "../../src/adapters/_workerd_socket.ts";

/** A Workers socket's events and state, with the closes called on it. */
class StandInSocket extends EventTarget {
  readyState = 1;
  readonly closesCalled: [number | undefined, string | undefined][] = [];
  close(code?: number, reason?: string): void {
    this.closesCalled.push([code, reason]);
    this.readyState = 3;
  }
}

/** A socket watched as the adapter does, with a listener between that writes down what it hears. */
function watched(): { socket: StandInSocket; heard: string[] } {
  const socket = new StandInSocket();
  const heard: string[] = [];
  const closes = new WorkerdCloses(socket);
  socket.addEventListener("error", () => heard.push("error"));
  socket.addEventListener("close", (event) => {
    const { code, reason, wasClean } = event as CloseEvent;
    heard.push(`close ${code} ${wasClean ? "clean" : "dropped"} ${reason}`);
  });
  closes.followErrors();
  return { socket, heard };
}

Deno.test("`WorkerdCloses` follows an error on a closed socket with a close 1006, at once", () => {
  const { socket, heard } = watched();
  socket.readyState = 3; // workerd failed the connection (the client broke the protocol)
  socket.dispatchEvent(Object.assign(new Event("error"), { message: "Unknown opcode 3" }));
  assert.deepEqual(heard, ["error", "close 1006 dropped Unknown opcode 3"]);
  // A close workerd might send after all is not told twice.
  socket.dispatchEvent(new CloseEvent("close", { code: 1002, wasClean: true }));
  assert.deepEqual(heard, ["error", "close 1006 dropped Unknown opcode 3"]);
});

Deno.test("`WorkerdCloses` leaves an error on an open socket to the close that follows it", () => {
  const { socket, heard } = watched();
  socket.dispatchEvent(new Event("error"));
  socket.readyState = 3;
  socket.dispatchEvent(new CloseEvent("close", { code: 1011, reason: "gone", wasClean: true }));
  socket.dispatchEvent(new Event("error")); // after the close: nothing to make up
  assert.deepEqual(heard, ["error", "close 1011 clean gone", "error"]);
});

Deno.test("`WorkerdCloses` tells a close code no close frame may carry as 1006, answered 1002", () => {
  for (const code of [5000, 999, 1015, 1004]) {
    const { socket, heard } = watched();
    socket.readyState = 2; // before 2026-04-07 workerd leaves the close unanswered
    socket.dispatchEvent(new CloseEvent("close", { code, wasClean: true }));
    assert.deepEqual(socket.closesCalled, [
      [1002, `close code ${code} is not one a close frame may carry`],
    ]);
    assert.deepEqual(heard, [
      `close 1006 dropped the peer closed with code ${code}, which no close frame may carry`,
    ]);
  }
});

Deno.test("`WorkerdCloses` passes a close with a code as it is and answers one with none 1000", () => {
  const answers: [code: number, answer: number][] = [[4001, 4001], [1000, 1000], [1014, 1014], [
    1005,
    1000,
  ]];
  for (const [code, answer] of answers) {
    const { socket, heard } = watched();
    socket.readyState = 2;
    socket.dispatchEvent(new CloseEvent("close", { code, reason: "bye", wasClean: true }));
    assert.deepEqual(socket.closesCalled, [[answer, "bye"]]);
    assert.deepEqual(heard, [`close ${code} clean bye`]);
    // Answered already (workerd from 2026-04-07): nothing called; a second close not told.
    socket.dispatchEvent(new CloseEvent("close", { code, wasClean: true }));
    assert.deepEqual(socket.closesCalled, [[answer, "bye"]]);
    assert.deepEqual(heard, [`close ${code} clean bye`]);
  }
});

Deno.test("`WorkerdCloses` closes a socket whose connection dropped, which workerd reports OPEN", () => {
  const { socket, heard } = watched();
  // workerd reports a connection gone with no close frame on a socket still OPEN, then keeps it
  // CLOSING (and its listeners, and a Durable Object, in memory) until close() is called.
  const reason = "WebSocket disconnected without sending Close frame.";
  socket.dispatchEvent(new CloseEvent("close", { code: 1006, reason, wasClean: false }));
  assert.deepEqual(socket.closesCalled, [[1000, undefined]]);
  assert.deepEqual(heard, [`close 1006 dropped ${reason}`]);
});
