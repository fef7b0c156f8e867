/**
 * The memory fixture (`memory_worker.ts`) in workerd with the V8 inspector open: echo sessions run
 * against it one after another, each until the Worker has seen it end, and what of those sessions
 * the Worker's heap still holds. Shared by `../workerd_memory_test.ts` and
 * `../../bench/workerd_memory.ts`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Miniflare } from "miniflare";
import { within, WsClient } from "../../_ws_client.ts";
import { hostMiniflare } from "../miniflare_sanitizers.ts";
import { type HeapNode, type HeapSnapshot, WorkerInspector } from "./heap_inspector.ts";
import { maskedFrame, RawPeer } from "./raw_peer.ts";
import { bundleWorker, exampleCompatibilityDate } from "./worker_bundle.ts";

const ENTRY = new URL("./memory_worker.ts", import.meta.url);
/** Two 40 ms chunks of 16 kHz mono PCM16: the first comes back at once, the second 40 ms on. */
const AUDIO = new Uint8Array(2 * 1280);
/**
 * A binary frame of one 40 ms chunk, as a bare TCP client sends it (a 16-bit length, RFC 6455
 * §5.2, an all-zero mask): echoed at once, which tells that the session has heard its peer.
 */
const AUDIO_FRAME = new Uint8Array([
  0x82,
  0x80 | 126,
  1280 >> 8,
  1280 & 0xff,
  0,
  0,
  0,
  0,
  ...new Uint8Array(1280),
]);
/** A frame with opcode 3, which RFC 6455 reserves: workerd fails the connection. */
const RESERVED_OPCODE_FRAME = maskedFrame(0x83);

/** Where a session runs and which side ends it. */
export interface SessionKind {
  /**
   * "worker": the bare adapter in a Worker's `fetch`; "object": a `CallDurableObject` of its
   * own (a new call id each session); "same-object": one `CallDurableObject` for every session.
   */
  adapter: "worker" | "object" | "same-object";
  /**
   * "client": the client closes after the echo; "server": it asks the server to close;
   * "dropped": a bare TCP client sends some audio and goes away with no close; "broken": it sends
   * some audio and a frame with a reserved opcode (workerd fails the connection with an "error"
   * and no "close", which the adapters make up for).
   */
  end: "client" | "server" | "dropped" | "broken";
}

/** Every kind of session, each adapter ended each way. */
export const SESSION_KINDS: readonly SessionKind[] = (["worker", "object", "same-object"] as const)
  .flatMap((adapter) =>
    (["client", "server", "dropped", "broken"] as const).map((end) => ({ adapter, end }))
  );

/** A session that {@linkcode MemoryWorkerd.open} opened, to end as its kind says. */
export interface OpenSession {
  /** Ends the session and resolves once the Worker has seen it end. */
  end(): Promise<void>;
}

/**
 * The fields only a `WebSocketTransport` has. A transport is named in the snapshot by workerd's
 * wrapper of the `EventTarget` it extends, not by its class, so it is found by its fields.
 */
const TRANSPORT_FIELDS = ["#in", "#out", "#events", "#closer", "#watch"];

/** Classes a session makes one object of. */
export const SESSION_CLASSES = [
  "PlaybackTracker",
  "SocketEvents",
  "SocketCloser",
  "SessionWatch",
  "OutboundPump",
  "InboundQueue",
  "WorkerdCloses",
] as const;

/** What workerd logs of each "broken" session (a line, then its stack): expected, so not shown. */
const BROKEN_SESSION_LOG = "WebSocket protocol error";

/** workerd's own object behind a Workers socket, alive while its connection is. */
const WORKERD_SOCKET = "workerd / WebSocket";

/** What a Worker's heap holds after a garbage collection. */
export interface HeapCount {
  /** Live `WebSocketTransport`s. */
  transports: number;
  /** Live objects of each of {@linkcode SESSION_CLASSES}. */
  sessionObjects: Record<(typeof SESSION_CLASSES)[number], number>;
  /** Live workerd sockets (connections). */
  sockets: number;
  /** The heap's used bytes. */
  usedBytes: number;
  /** For each of the first few live transports, what keeps it alive. */
  retainers: string[][];
}

/** The memory fixture in workerd. */
export class MemoryWorkerd implements AsyncDisposable {
  readonly #miniflare: Miniflare;
  readonly #dispose: () => Promise<void>;
  readonly #inspector: WorkerInspector;
  readonly #ws: string;
  readonly #port: number;
  /** Sessions run so far (each has ended, as the Worker saw it). */
  #sessions = 0;

  private constructor(
    miniflare: Miniflare,
    dispose: () => Promise<void>,
    inspector: WorkerInspector,
    url: URL,
  ) {
    this.#miniflare = miniflare;
    this.#dispose = dispose;
    this.#inspector = inspector;
    this.#ws = `ws://${url.host}`;
    this.#port = Number(url.port);
  }

  /**
   * Starts the fixture in workerd on 127.0.0.1 with its inspector open. `keepTransports`: the
   * fixture keeps every transport for good, a leak for the count to find.
   */
  static async start(options: { keepTransports?: boolean } = {}): Promise<MemoryWorkerd> {
    const script = await bundleWorker(ENTRY);
    const compatibilityDate = await exampleCompatibilityDate();
    const { miniflare, dispose } = await hostMiniflare(() =>
      new Miniflare({
        modules: true,
        script,
        compatibilityDate,
        cf: false,
        host: "127.0.0.1",
        port: 0,
        inspectorPort: 0,
        durableObjects: { CALLS: { className: "MemoryCall", useSQLite: true } },
        bindings: options.keepTransports ? { KEEP_TRANSPORTS: "yes" } : {},
        handleRuntimeStdio: showLogs,
      })
    );
    try {
      const url = await miniflare.ready;
      const inspector = await WorkerInspector.open(await miniflare.getInspectorURL());
      return new MemoryWorkerd(miniflare, dispose, inspector, url);
    } catch (error) {
      await dispose();
      throw error;
    }
  }

  /** Sessions run so far. */
  get sessions(): number {
    return this.#sessions;
  }

  /**
   * Opens a session of `kind`: a WebSocket client has its audio echoed, a bare TCP client sends
   * some. `id` names its call for the "object" adapter.
   */
  async open(kind: SessionKind, id = `call-${this.#sessions}`): Promise<OpenSession> {
    const path = kind.adapter === "worker"
      ? "/direct"
      : `/ws/${kind.adapter === "object" ? id : "same-call"}`;
    if (kind.end === "dropped" || kind.end === "broken") {
      const peer = await RawPeer.open(this.#port, path);
      await peer.write(AUDIO_FRAME);
      // Until its peer's first message the Cloudflare adapter holds the 101's client end (a
      // second socket), to end a session whose 101 was never sent: a count taken before then
      // would find it.
      await peer.heard(5000);
      return {
        end: async () => {
          if (kind.end === "broken") {
            await peer.write(RESERVED_OPCODE_FRAME);
            assert.equal(await peer.closeCode(5000), 1002, "workerd failed the connection");
          }
          await peer.close();
          await this.#seenEnded();
        },
      };
    }
    const client = await WsClient.open(`${this.#ws}${path}`);
    client.send(AUDIO);
    await client.waitFor(() => client.binaries.length > 0, 5000, "the echo");
    return {
      end: async () => {
        if (kind.end === "client") {
          await client.close();
        } else {
          client.send("server-close");
          const { code } = await within(client.closed, 5000, "the server's close");
          assert.equal(code, 4000, "the server closed the session");
        }
        await this.#seenEnded();
      },
    };
  }

  /** Runs `count` sessions of `kind`, one after another. */
  async run(kind: SessionKind, count: number): Promise<void> {
    for (let i = 0; i < count; i++) await (await this.open(kind)).end();
  }

  /** Counts one more session over, and waits until the Worker has seen it end. */
  async #seenEnded(): Promise<void> {
    const count = ++this.#sessions;
    const { ended } = await (await this.#miniflare.dispatchFetch(
      `http://localhost/ended?count=${count}`,
    )).json() as { ended: number };
    assert.equal(ended, count, "the Worker saw each session end");
  }

  /** What the Worker's heap holds now, after a garbage collection (a heap snapshot's). */
  async count(): Promise<HeapCount> {
    const snapshot = await this.#inspector.snapshot();
    const { usedSize } = await this.#inspector.heapUsage();
    return countIn(snapshot, usedSize);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    try {
      await this.#inspector[Symbol.asyncDispose]();
    } finally {
      await this.#dispose();
    }
  }
}

/** Passes workerd's output on as Miniflare does, but for its log of each "broken" session. */
function showLogs(stdout: Readable, stderr: Readable): void {
  createInterface(stdout).on("line", (line) => console.log(line));
  let inBrokenLog = false;
  createInterface(stderr).on("line", (line) => {
    inBrokenLog = line.includes(BROKEN_SESSION_LOG) || (inBrokenLog && line.startsWith("stack:"));
    if (!inBrokenLog) console.error(line);
  });
}

function countIn(snapshot: HeapSnapshot, usedBytes: number): HeapCount {
  const transports: HeapNode[] = snapshot.withFields(TRANSPORT_FIELDS);
  const sessionObjects = Object.fromEntries(
    SESSION_CLASSES.map((name) => [name, snapshot.objects(name).length]),
  ) as HeapCount["sessionObjects"];
  let sockets = 0;
  for (const node of snapshot.nodes()) if (node.name === WORKERD_SOCKET) sockets++;
  return {
    transports: transports.length,
    sessionObjects,
    sockets,
    usedBytes,
    retainers: transports.slice(0, 3).map((node) => snapshot.retainerPath(node.index)),
  };
}
