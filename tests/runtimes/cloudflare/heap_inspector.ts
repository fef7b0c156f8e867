/**
 * A Worker's heap in workerd, read over the V8 inspector protocol that Miniflare's `inspectorPort`
 * opens: a heap snapshot (V8 collects garbage before it takes one, so what it holds is what is
 * still reachable), the live objects in it, found by their class's name or by their fields, and
 * what keeps one alive.
 *
 * @module
 */

import { within } from "../../_ws_client.ts";

/** How long one inspector command (a snapshot, mostly) may take. */
const COMMAND_BOUND_MS = 20_000;

/** The part of a V8 heap snapshot this reads. */
interface RawSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

/** One object of a snapshot. */
export interface HeapNode {
  /** Its index in the snapshot's node list. */
  index: number;
  /** Its V8 type: "object", "closure", "native", … */
  type: string;
  /** Its constructor's (or the closure's, the native's) name. */
  name: string;
}

/** One reference from an object to another. */
interface HeapEdge {
  /** "property", "element", "context", "internal", "weak", … */
  type: string;
  /** The property's (or variable's) name, or the element's index. */
  name: string;
  /** The index of the object referred to. */
  to: number;
}

/** A heap snapshot: its objects by name or by their fields, and what retains one. */
export class HeapSnapshot {
  readonly #raw: RawSnapshot;
  readonly #nodeWidth: number;
  readonly #edgeWidth: number;
  /** Per node, where its edges start in `edges` (they follow each other, node by node). */
  readonly #firstEdge: Uint32Array;

  constructor(raw: RawSnapshot) {
    this.#raw = raw;
    const { node_fields, edge_fields } = raw.snapshot.meta;
    this.#nodeWidth = node_fields.length;
    this.#edgeWidth = edge_fields.length;
    const edgeCount = node_fields.indexOf("edge_count");
    this.#firstEdge = new Uint32Array(raw.nodes.length / this.#nodeWidth + 1);
    for (let n = 0; n < this.#firstEdge.length - 1; n++) {
      this.#firstEdge[n + 1] = this.#firstEdge[n]! +
        raw.nodes[n * this.#nodeWidth + edgeCount]! * this.#edgeWidth;
    }
  }

  /** Every node, in snapshot order. */
  *nodes(): Generator<HeapNode> {
    for (let n = 0; n < this.#firstEdge.length - 1; n++) yield this.node(n);
  }

  /** The node at `index`. */
  node(index: number): HeapNode {
    const { nodes, strings, snapshot: { meta } } = this.#raw;
    const at = index * this.#nodeWidth;
    const type = meta.node_types[0][nodes[at + meta.node_fields.indexOf("type")]!]!;
    return { index, type, name: strings[nodes[at + meta.node_fields.indexOf("name")]!]! };
  }

  /** The references out of the node at `index`. */
  edges(index: number): HeapEdge[] {
    const { edges, strings, snapshot: { meta } } = this.#raw;
    const type = meta.edge_fields.indexOf("type");
    const name = meta.edge_fields.indexOf("name_or_index");
    const to = meta.edge_fields.indexOf("to_node");
    const out: HeapEdge[] = [];
    for (let e = this.#firstEdge[index]!; e < this.#firstEdge[index + 1]!; e += this.#edgeWidth) {
      const kind = meta.edge_types[0][edges[e + type]!]!;
      const nameOrIndex = edges[e + name]!;
      out.push({
        type: kind,
        name: kind === "element" || kind === "hidden" ? String(nameOrIndex) : strings[nameOrIndex]!,
        to: edges[e + to]! / this.#nodeWidth,
      });
    }
    return out;
  }

  /** The JavaScript objects made by a class called `name`. */
  objects(name: string): HeapNode[] {
    return [...this.nodes()].filter((node) => node.type === "object" && node.name === name);
  }

  /**
   * The objects that have every one of `fields` as their own properties (private ones too,
   * `#name`). An instance of a class that extends a workerd API class (`EventTarget`) is named in
   * the snapshot by workerd's wrapper, not by its class: it is found by its fields instead.
   */
  withFields(fields: readonly string[]): HeapNode[] {
    const found: HeapNode[] = [];
    for (let n = 0; n < this.#firstEdge.length - 1; n++) {
      const names = new Set(this.edges(n).flatMap((e) => e.type === "property" ? [e.name] : []));
      if (fields.every((field) => names.has(field))) found.push(this.node(n));
    }
    return found;
  }

  /**
   * The shortest chain of references from the snapshot's root to the node at `index`, as
   * "type name -edge->" steps: what keeps it alive. Weak references keep nothing alive and are
   * not followed. Nor, unless there is no other way, is workerd's heap tracer, which reaches every
   * live wrapper of a workerd object and would hide the reference that keeps one alive. Empty if
   * nothing reaches the node.
   */
  retainerPath(index: number): string[] {
    const viaTracer = (name: string) => name === "workerd / HeapTracer";
    const path = this.#shortestPath(index, viaTracer);
    return path.length > 0 ? path : this.#shortestPath(index, () => false);
  }

  /** {@linkcode retainerPath}, not going through nodes whose name `skip` accepts. */
  #shortestPath(index: number, skip: (name: string) => boolean): string[] {
    const nodeCount = this.#firstEdge.length - 1;
    const parent = new Int32Array(nodeCount).fill(-1);
    const via: (HeapEdge | undefined)[] = new Array(nodeCount);
    parent[0] = 0; // node 0 is the synthetic root
    for (let queue = [0], head = 0; head < queue.length && parent[index] === -1; head++) {
      const from = queue[head]!;
      if (skip(this.node(from).name)) continue;
      for (const edge of this.edges(from)) {
        if (edge.type === "weak" || parent[edge.to] !== -1) continue;
        parent[edge.to] = from;
        via[edge.to] = edge;
        queue.push(edge.to);
      }
    }
    const path: string[] = [];
    for (let at = index; at !== 0 && parent[at] !== -1; at = parent[at]!) {
      const from = parent[at]!;
      path.unshift(`${this.#describe(from)} -${via[at]!.type}:${via[at]!.name}->`);
    }
    return path;
  }

  /**
   * The node's type and name; for a JavaScript object that wraps a workerd object (named only
   * "CppgcShim"), the workerd object's name too ("workerd / WebSocket").
   */
  #describe(index: number): string {
    const { type, name } = this.node(index);
    const native = this.edges(index).find((edge) => edge.name === "javascript_to_native");
    const wrapped = native === undefined ? "" : ` (${this.node(native.to).name})`;
    return `${type} ${name.slice(0, 60)}${wrapped}`;
  }
}

/** An inspector session with one Worker of a workerd process. */
export class WorkerInspector implements AsyncDisposable {
  readonly #socket: WebSocket;
  #nextId = 1;
  readonly #pending = new Map<number, (message: Record<string, unknown>) => void>();
  #chunks: string[] = [];

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.addEventListener("message", (event) => {
      const message = JSON.parse(event.data as string) as Record<string, unknown>;
      if (message.method === "HeapProfiler.addHeapSnapshotChunk") {
        this.#chunks.push((message.params as { chunk: string }).chunk);
      } else if (typeof message.id === "number") {
        this.#pending.get(message.id)?.(message);
        this.#pending.delete(message.id);
      }
    });
  }

  /**
   * Connects to the Worker `worker` (Miniflare names the user's Worker `core:user:`) of the
   * workerd whose inspector is at `inspectorUrl` (`Miniflare.getInspectorURL()`).
   */
  static async open(inspectorUrl: URL, worker = "core:user:"): Promise<WorkerInspector> {
    const socket = new WebSocket(`ws://${inspectorUrl.host}/${worker}`);
    await within(
      new Promise((resolve, reject) => {
        socket.addEventListener("open", resolve, { once: true });
        socket.addEventListener("error", () => reject(new Error("no inspector")), { once: true });
      }),
      5000,
      "inspector connection",
    );
    return new WorkerInspector(socket);
  }

  /** Sends one command and resolves with its result; rejects on a protocol error. */
  async send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++;
    const reply = new Promise<Record<string, unknown>>((resolve) => this.#pending.set(id, resolve));
    this.#socket.send(JSON.stringify({ id, method, params }));
    const message = await within(reply, COMMAND_BOUND_MS, `inspector reply to ${method}`);
    if (message.error) throw new Error(`${method}: ${JSON.stringify(message.error)}`);
    return message.result;
  }

  /**
   * The used and total heap sizes, in bytes. Not collected first: workerd runs
   * `HeapProfiler.collectGarbage` only when the Worker next handles an event, so read this right
   * after {@linkcode snapshot}, which collects.
   */
  async heapUsage(): Promise<{ usedSize: number; totalSize: number }> {
    return await this.send("Runtime.getHeapUsage") as { usedSize: number; totalSize: number };
  }

  /** A heap snapshot: only what is still reachable (V8 collects garbage before it takes one). */
  async snapshot(): Promise<HeapSnapshot> {
    this.#chunks = [];
    // The chunks come before the reply (workerd's has no result: it echoes the command).
    await this.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
    const raw = JSON.parse(this.#chunks.join("")) as RawSnapshot;
    this.#chunks = [];
    return new HeapSnapshot(raw);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#socket.readyState === WebSocket.CLOSED) return;
    const closed = new Promise((resolve) => this.#socket.addEventListener("close", resolve));
    this.#socket.close();
    await within(closed, 5000, "inspector close");
  }
}
