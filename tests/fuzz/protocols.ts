// Every protocol the inbound fuzzer knows, by the name `--protocol` takes.
import type { InboundProtocol } from "./generators.ts";
import { JSON_PROTOCOLS } from "./generators.ts";
import { BINARY_PROTOCOLS } from "./generators_binary.ts";

export const PROTOCOLS: ReadonlyMap<string, InboundProtocol> = new Map(
  [...JSON_PROTOCOLS, ...BINARY_PROTOCOLS].map((p) => [p.name, p]),
);
