/**
 * What the kernel says about a server's side of a TCP connection, for tests that must show a
 * connection is gone, whichever process holds it (Deno itself, a Node, Bun or workerd child).
 * Linux only: read from `/proc/net/tcp`.
 *
 * @module
 */

/** One `/proc/net/tcp` row for the server side of a connection. */
export interface ServerSocket {
  /** The TCP state, by its kernel name ("ESTABLISHED", "FIN_WAIT2", …). */
  state: string;
  /** The socket's inode: 0 once no process holds it (closed, the kernel finishing it alone). */
  inode: number;
}

const STATES = [
  "",
  "ESTABLISHED",
  "SYN_SENT",
  "SYN_RECV",
  "FIN_WAIT1",
  "FIN_WAIT2",
  "TIME_WAIT",
  "CLOSE",
  "CLOSE_WAIT",
  "LAST_ACK",
  "LISTEN",
  "CLOSING",
];

/** The server's sockets for the connection from `clientPort` to `serverPort` on 127.0.0.1. */
export function serverSockets(serverPort: number, clientPort: number): ServerSocket[] {
  const hex = (port: number) => ":" + port.toString(16).toUpperCase().padStart(4, "0");
  return Deno.readTextFileSync("/proc/net/tcp").split("\n").slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(hex(serverPort)) && f[2]?.endsWith(hex(clientPort)))
    .map((f) => ({ state: STATES[parseInt(f[3]!, 16)] ?? f[3]!, inode: Number(f[9]) }));
}

/** Whether a process still holds the server's side of the connection (its socket has an inode). */
export function serverHolds(serverPort: number, clientPort: number): boolean {
  return serverSockets(serverPort, clientPort).some((socket) => socket.inode !== 0);
}

/**
 * Resolves once no process holds the server's side of the connection; rejects after `ms` with
 * what the kernel still shows. The kernel's tables have no change event to wait on, so this
 * looks every 20 ms until the bound.
 */
export async function released(serverPort: number, clientPort: number, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (serverHolds(serverPort, clientPort)) {
    if (performance.now() >= deadline) {
      const seen = JSON.stringify(serverSockets(serverPort, clientPort));
      throw new Error(`the server still holds the connection ${ms} ms later: ${seen}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
