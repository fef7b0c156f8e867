/**
 * What a process holds, measured: after full collections (`collectGarbage`, for a script run with
 * `--v8-flags=--expose-gc`, see `_gc_script.ts`), or counted exactly in a heap snapshot
 * (`heapCensus`).
 *
 * @module
 */

import v8 from "node:v8";

/**
 * Full collections a task apart (array buffers are freed by a sweeper that runs after one);
 * returns the heap and external memory used after them, in bytes. A process-wide figure: it moves
 * with what the runtime makes on its own (compiled code, its own buffers), so it fits a bound with
 * a wide margin only; a figure a test holds to tightly comes from {@linkcode heapCensus}.
 */
export async function collectGarbage(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const { heapUsed, external } = Deno.memoryUsage();
  return heapUsed + external;
}

/** What a heap snapshot holds, counted. */
export interface HeapCensus {
  /** Objects (a snapshot's "object" nodes) by constructor name. */
  objects: Map<string, number>;
  /**
   * Bytes of array buffer storage: each backing store once, however many views share it, and
   * only those of buffers still reachable.
   */
  bufferBytes: number;
  /** Bytes of everything: the heap's objects and the array buffers' storage. */
  totalBytes: number;
}

/**
 * Counts what the process holds in a heap snapshot. V8 collects all it can before it takes one and
 * lists only what is reachable, at the moment it is taken, on the main thread: no sweeper still
 * running, no external-memory counter not yet brought down, no timing in the figure. Exact where
 * {@linkcode collectGarbage}'s memory figure is not (its heap part moved 20–45 KB between two
 * readings a background apart, with the runtime's own code and state: half the slack of
 * track_copies_test.ts's bound). The snapshot is read from a file that is removed.
 *
 * Two things it is not: the first census in a process makes the runtime's snapshot machinery
 * (some 900 KB of heap objects, measured): compare censuses taken after a first one. And it
 * leaves `WeakRef`s as they were (measured: twenty of the bot's buffers still answered `deref`):
 * check those after {@linkcode collectGarbage}.
 */
export function heapCensus(): HeapCensus {
  const path = Deno.makeTempFileSync({ suffix: ".heapsnapshot" });
  try {
    v8.writeHeapSnapshot(path);
    return counted(JSON.parse(Deno.readTextFileSync(path)));
  } finally {
    Deno.removeSync(path);
  }
}

/** The parts of V8's heap snapshot format read here (`.heapsnapshot`, as DevTools reads it). */
interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** V8 names the storage of an array buffer so (a "native" node, its size the buffer's length). */
const BUFFER_STORAGE = "system / JSArrayBufferData";

function counted(snapshot: HeapSnapshot): HeapCensus {
  const { node_fields: fields, node_types: [types] } = snapshot.snapshot.meta;
  const typeAt = fields.indexOf("type"), nameAt = fields.indexOf("name");
  const sizeAt = fields.indexOf("self_size");
  const objectType = types.indexOf("object"), nativeType = types.indexOf("native");
  const { nodes, strings } = snapshot;
  const objects = new Map<string, number>();
  let bufferBytes = 0, totalBytes = 0;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = nodes[i + typeAt], size = nodes[i + sizeAt]!;
    totalBytes += size;
    if (type === objectType) {
      const name = strings[nodes[i + nameAt]!]!;
      objects.set(name, (objects.get(name) ?? 0) + 1);
    } else if (type === nativeType && strings[nodes[i + nameAt]!] === BUFFER_STORAGE) {
      bufferBytes += size;
    }
  }
  return { objects, bufferBytes, totalBytes };
}
