// Seeded mutations of one valid inbound message: each takes a message a serializer accepts and
// breaks one thing about it, the way a buggy or hostile far end would.
import type { Prng } from "./prng.ts";
import {
  type FieldPath,
  getPath,
  type InboundProtocol,
  type Message,
  setPath,
  toWire,
} from "./generators.ts";

/** One mutated message, with a label that says what was done (printed to replay a failure). */
export interface Mutated {
  label: string;
  wire: string | Uint8Array;
}

/** Values of every JSON type and then some, for type swaps and added fields. */
const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  "",
  "x",
  "null",
  [],
  [1, "a"],
  {},
  { toString: 1 },
  { nested: { deeper: [null] } },
];

/** Numbers a sequence number or timestamp should never be, as JSON can carry them. */
const ODD_NUMBERS: readonly unknown[] = [
  -1,
  0,
  -2147483648,
  4294967296,
  9007199254740993,
  1e308,
  -1e308,
  0.5,
  "NaN",
  "Infinity",
  "-Infinity",
  "1e999",
  "0x10",
  "",
  " 7 ",
  "9".repeat(400),
  null,
];

/** Every leaf and inner field of a JSON value, as paths. */
function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== "object" || value === null) return prefix.length ? [prefix] : [];
  const inner = Object.keys(value).flatMap((key) =>
    paths((value as Record<string, unknown>)[key], [...prefix, key])
  );
  return prefix.length ? [prefix, ...inner] : inner;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 24 ? `${text.slice(0, 24)}…` : text;
}

type Mutation = (
  message: Message,
  protocol: InboundProtocol,
  rng: Prng,
) => Mutated | undefined;

const json = (message: Message) =>
  message.kind === "json" ? structuredClone(message.value) : undefined;

const MUTATIONS: Record<string, Mutation> = {
  typeSwap(message, _protocol, rng) {
    const value = json(message);
    if (!value) return;
    const path = rng.pick(paths(value));
    const to = rng.pick(ODD_VALUES);
    setPath(value, path, to);
    return { label: `${path.join(".")} = ${describe(to)}`, wire: JSON.stringify(value) };
  },
  removeField(message, _protocol, rng) {
    const value = json(message);
    if (!value) return;
    const path = rng.pick(paths(value));
    const parent = getPath(value, path.slice(0, -1)) as Record<string, unknown>;
    delete parent[path[path.length - 1]!];
    return { label: `${path.join(".")} removed`, wire: JSON.stringify(value) };
  },
  addField(message, _protocol, rng) {
    const value = json(message);
    if (!value) return;
    const objects = [[], ...paths(value)].filter((p) => {
      const at = getPath(value, p);
      return typeof at === "object" && at !== null && !Array.isArray(at);
    });
    const path = [...rng.pick(objects), rng.pick(["extra", "__proto__", "constructor", ""])];
    const to = rng.pick(ODD_VALUES);
    setPath(value, path, to);
    return { label: `${path.join(".")} added = ${describe(to)}`, wire: JSON.stringify(value) };
  },
  badBase64(message, protocol, rng) {
    const value = json(message);
    const path: FieldPath | undefined = value &&
      protocol.base64Paths.find((p) => typeof getPath(value, p) === "string");
    if (!value || !path) return;
    const text = getPath(value, path) as string;
    const broken = rng.pick([
      text.slice(0, rng.int(text.length)),
      text.slice(0, 1),
      "",
      `${text.slice(0, 8)}!!*%${text.slice(8)}`,
      text.replace(/=+$/, "") + "===",
      "=".repeat(8),
      text + text.slice(0, 3),
    ]);
    setPath(value, path, broken);
    return {
      label: `${path.join(".")} base64 of ${broken.length} chars`,
      wire: JSON.stringify(value),
    };
  },
  badNumber(message, protocol, rng) {
    const value = json(message);
    const present = value && protocol.numberPaths.filter((p) => getPath(value, p) !== undefined);
    if (!value || !present?.length) return;
    const path = rng.pick(present);
    const to = rng.pick(ODD_NUMBERS);
    setPath(value, path, to);
    return { label: `${path.join(".")} = ${describe(to)}`, wire: JSON.stringify(value) };
  },
  invalidJson(message, _protocol, rng) {
    if (message.kind === "bytes") return;
    const text = String(toWire(message));
    const at = rng.int(text.length);
    const broken = rng.pick([
      text.slice(0, at),
      `${text.slice(0, at)}\u0000${text.slice(at)}`,
      `${text},`,
      text.replace(/"/g, "'"),
      "[".repeat(20_000),
      `${text}${text}`,
      "\ud800",
    ]);
    return { label: `invalid JSON (${broken.length} chars)`, wire: broken };
  },
  binaryForText(message) {
    if (message.kind === "bytes") return;
    return {
      label: "text sent as binary",
      wire: new TextEncoder().encode(String(toWire(message))),
    };
  },
  textForBinary(message) {
    if (message.kind !== "bytes") return;
    return {
      label: "binary sent as text",
      wire: String.fromCharCode(...message.bytes.subarray(0, 64)),
    };
  },
  oddBinary(message, _protocol, rng) {
    if (message.kind !== "bytes") return;
    const size = rng.pick([0, 1, 3, 639, 641, 65_537]);
    return { label: `binary of ${size} bytes`, wire: new Uint8Array(size).fill(0x7f) };
  },
  flipBytes(message, _protocol, rng) {
    if (message.kind !== "bytes" || message.bytes.length === 0) return;
    const bytes = message.bytes.slice();
    const flips = 1 + rng.int(4);
    for (let i = 0; i < flips; i++) bytes[rng.int(bytes.length)] = rng.int(256);
    return { label: `${flips} byte(s) changed`, wire: bytes };
  },
  truncateBytes(message, _protocol, rng) {
    if (message.kind !== "bytes" || message.bytes.length < 2) return;
    const size = 1 + rng.int(message.bytes.length - 1);
    return { label: `binary cut to ${size} bytes`, wire: message.bytes.slice(0, size) };
  },
  tweakText(message, _protocol, rng) {
    if (message.kind !== "text") return;
    const words = message.text.split(" ");
    const at = rng.int(words.length);
    words[at] = rng.pick([
      "",
      ":",
      "digit:",
      "x:y:z",
      "\u0000",
      "9".repeat(30),
      words[at]!.toLowerCase(),
    ]);
    const text = rng.chance(0.5) ? words.join(" ") : words.slice(0, at).join(" ");
    return { label: `text word ${at} changed`, wire: text };
  },
  bogusEvent(message, _protocol, rng) {
    const value = json(message);
    if (!value) return;
    const key = "event" in value ? "event" : "type";
    const to = rng.pick(["", "MEDIA", "unknown", "media ", "__proto__", "toString", "start\u0000"]);
    value[key] = to;
    return { label: `${key} = ${describe(to)}`, wire: JSON.stringify(value) };
  },
};

export const MUTATION_NAMES: readonly string[] = Object.keys(MUTATIONS);

/** One seeded mutation of `message` that applies to it (a JSON one to JSON, a binary one to bytes). */
export function mutate(message: Message, protocol: InboundProtocol, rng: Prng): Mutated {
  for (let attempt = 0; attempt < 20; attempt++) {
    const name = rng.pick(MUTATION_NAMES);
    const mutated = MUTATIONS[name]!(message, protocol, rng);
    if (mutated) return { label: `${name}: ${mutated.label}`, wire: mutated.wire };
  }
  return { label: "binaryForText: fallback", wire: new Uint8Array([0xff, 0xfe]) };
}
