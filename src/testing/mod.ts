/**
 * Helpers for testing code built on `@x/ws-transport`: a fake clock and an in-memory socket.
 *
 * @module
 */

export * from "./fake_clock.ts";
export * from "./memory_socket.ts";
