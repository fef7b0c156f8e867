/**
 * One machine, more than one core (README, "More than one core"): a server run as several
 * processes on one port — `node:cluster` on Node, `Bun.serve({ reusePort: true })` on Bun — serves
 * every session whole in the process that accepted it. The servers are the load benchmark's
 * (`node/cluster_echo_node.ts`, `bun/reuse_port_echo.ts`), each process saying how many sessions
 * it served when stopped.
 */

import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import "@oven/bun-linux-x64/package.json" with { type: "json" };
import { within, WsClient } from "../_ws_client.ts";
import { bundleForNode } from "./node/child_runtime.ts";

const SESSIONS = 24;
const CHUNKS = 10;
const CHUNK_BYTES = 640;
/** The `bun` binary inside its npm platform package (see `bun_test.ts`). */
const bun = fileURLToPath(import.meta.resolve("@oven/bun-linux-x64/package.json"))
  .replace(/package\.json$/, "bin/bun");

/** Starts `command`, waits for its `listening 127.0.0.1:PORT` line; its stdin ends it. */
async function start(command: string, args: string[]) {
  const child = new Deno.Command(command, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let match: RegExpExecArray | null = null;
  await within(
    (async () => {
      while (!(match = /listening 127\.0\.0\.1:(\d+)/.exec(text))) {
        const { value, done } = await stdout.read();
        if (done) throw new Error(`${command} exited before listening: ${text}`);
        text += value;
      }
    })(),
    15_000,
    `${command} to listen`,
  );
  const stderr = new Response(child.stderr).text();
  return {
    port: Number(match![1]),
    /** Ends it (stdin closes); what each of its processes said on stderr. */
    async stop(): Promise<string> {
      await child.stdin.close();
      await within(child.status, 10_000, `${command} to exit`);
      await stdout.cancel();
      return await stderr;
    },
  };
}

/** Opens the sessions, each sending audio of its own byte value, and checks every echo is whole. */
async function echoEverySession(port: number): Promise<void> {
  const clients = await Promise.all(
    Array.from({ length: SESSIONS }, () => WsClient.open(`ws://127.0.0.1:${port}/ws`)),
  );
  clients.forEach((client, i) => {
    for (let c = 0; c < CHUNKS; c++) client.send(new Uint8Array(CHUNK_BYTES).fill(i + 1));
  });
  await Promise.all(clients.map((client, i) =>
    client.waitFor(
      () => client.binaryBytes.length >= CHUNKS * CHUNK_BYTES,
      10_000,
      `session ${i}'s echo`,
    )
  ));
  clients.forEach((client, i) => {
    const bytes = client.binaryBytes;
    assert.equal(bytes.length, CHUNKS * CHUNK_BYTES, `session ${i}: all of its audio, no more`);
    assert.ok(bytes.every((b) => b === i + 1), `session ${i}: only its own audio`);
  });
  await Promise.all(clients.map((client) => client.close(1000)));
}

/**
 * Runs `command`, echoes every session through it, stops it, and checks from what each process
 * reported that every process served some sessions and none was lost.
 */
async function assertSessionsSpreadWhole(command: string, args: string[]): Promise<void> {
  const server = await start(command, args);
  let report = "";
  try {
    await echoEverySession(server.port);
  } finally {
    report = await server.stop();
  }
  const served = [...report.matchAll(/served (\d+) sessions/g)].map((m) => Number(m[1]));
  assert.equal(served.length, 2, report);
  assert.equal(served.reduce((a, b) => a + b, 0), SESSIONS, report);
  assert.ok(served.every((n) => n > 0), `each process served sessions: ${served}`);
}

Deno.test("`node:cluster`: two workers on one port each serve whole sessions of their own", async () => {
  const bundle = await bundleForNode(import.meta.resolve("./node/cluster_echo_node.ts"));
  try {
    // Round robin: the primary hands connections to the workers in turn.
    await assertSessionsSpreadWhole("node", [bundle, "--push"]);
  } finally {
    await Deno.remove(dirname(bundle), { recursive: true });
  }
});

Deno.test("Bun `reusePort`: two processes on one port each serve whole sessions of their own", async () => {
  // The kernel spreads connections by a hash of their addresses: with 24, both get some (all
  // to one would be a 1 in 8 million chance).
  const launcher = fileURLToPath(import.meta.resolve("./bun/reuse_port_echo.ts"));
  await assertSessionsSpreadWhole(bun, ["run", launcher, "--push"]);
});
