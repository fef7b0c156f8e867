/**
 * What to do with each code block of the README files: which are servers, on which runtime, how
 * they are started (the README's own command), which wire protocol they speak and what a client
 * should see — all read from the block itself, so a block added tomorrow is run without anyone
 * touching the test. A TypeScript/JavaScript block the runner cannot place fails, unless its info
 * string marks it as a fragment (`ts ignore (a fragment)`).
 *
 * @module
 */

import type { TelephonyProvider } from "@x/ws-transport/detect";
import type { FarEndOptions } from "@x/ws-transport/simulator";
import { type CodeBlock, where } from "./_markdown.ts";
import { readWranglerToml, type WranglerConfig } from "./_workerd.ts";

/** Where a server block runs, and how it is started. */
export type Runtime = "deno serve" | "deno run" | "node" | "bun" | "workerd";

/** A server block, or a runtime variant the README describes in words, and how to check it. */
export interface ServerPlan {
  /** For the test step: where the block is and what runs it. */
  name: string;
  /** The README block it comes from. */
  block: CodeBlock;
  /** The runtime that runs it. */
  runtime: Runtime;
  /** The file name the code is written to (its own `// main.ts` comment, or the runtime's). */
  file: string;
  /** The code that runs: the block's, or the variant derived from it. */
  code: string;
  /** Permission flags of the README's `deno` command for it (Deno runtimes only). */
  denoFlags: string[];
  /** The wire protocol its sessions speak. */
  wire: Wire;
  /**
   * For a block that tells the provider from a call's first messages (`detectProvider`): every
   * platform the caller simulator then calls it as, one call each; empty for a block of one wire.
   */
  platforms: Platform[];
  /** The WebSocket path to connect to; `{n}` stands for a number unique to each connection. */
  path: string;
  /** A browser origin the block allows, if it lists any. */
  allowedOrigin: string | undefined;
  /** Whether the block has an `authorize` check. */
  authorizes: boolean;
  /** Environment variables it reads (given a secret) and query parameters it reads (the same). */
  secrets: { env: string[]; params: string[] };
  /**
   * `echo`: frames go back as they came; `reply`: messages are answered by the bot's code;
   * `conversation`: the bot answers the caller its own way (a simulated call hears it).
   */
  session: "echo" | "reply" | "conversation";
  /** For workerd: the settings wrangler would use. */
  workerd: WranglerConfig | undefined;
}

/** A TypeScript block to type-check, as the file it is written to. */
export interface CheckPlan {
  /** The README block. */
  block: CodeBlock;
  /** A file name unique among the blocks, saying where the block is. */
  file: string;
  /** The code. */
  code: string;
}

/** Everything the README runner does with a set of blocks. */
export interface ReadmePlan {
  /** Server blocks (and variants), to start and drive. */
  servers: ServerPlan[];
  /** Other runnable blocks: `deno run` to completion. */
  scripts: CheckPlan[];
  /** TypeScript blocks to type-check (fragments excluded). */
  checks: CheckPlan[];
  /** Blocks marked as fragments: shown, not run. */
  fragments: CodeBlock[];
}

/** The wire a server block speaks: `raw`, `twilio`, or another platform the simulator speaks. */
export type Wire =
  | "raw"
  | "twilio"
  | "telnyx"
  | "plivo"
  | "exotel"
  | "vonage"
  | "genesys"
  | "pipecat"
  | "asterisk"
  | "jambonz"
  | "freeswitch"
  | "conversationrelay";

/** A platform the caller simulator calls as: its protocol name, with the platform's details. */
export interface Platform {
  /** For failure messages: the protocol, and what sets it apart from another call of it. */
  name: string;
  /** The simulator's protocol (`@x/ws-transport/simulator`'s `FAR_ENDS`). */
  protocol: string;
  /** The platform's details, where the default is not the call to make. */
  options?: FarEndOptions;
  /** Whether the caller hears the echo: not on a text-only platform, where no audio flows. */
  audio: boolean;
}

/**
 * Every platform `detectProvider` tells apart, as the provider it is detected as: a `Record` over
 * `TelephonyProvider`, so a provider added to the package fails the type check here until the
 * runner calls as it too. FreeSWITCH is absent: `detectProvider` cannot tell it (the README says
 * so).
 */
export const DETECTED_PLATFORMS: Record<TelephonyProvider, Platform[]> = {
  twilio: [
    { name: "twilio", protocol: "twilio", audio: true },
    // The README's SignalWire row: L16 at 24 kHz, read from `start`.
    {
      name: "signalwire (L16 24 kHz)",
      protocol: "signalwire",
      options: { sampleRate: 24000 },
      audio: true,
    },
  ],
  telnyx: [{ name: "telnyx", protocol: "telnyx", audio: true }],
  plivo: [{ name: "plivo", protocol: "plivo", audio: true }],
  exotel: [{ name: "exotel", protocol: "exotel", audio: true }],
  vonage: [{ name: "vonage", protocol: "vonage", audio: true }],
  genesys: [{ name: "genesys", protocol: "genesys", audio: true }],
  asterisk: [
    { name: "asterisk", protocol: "asterisk", audio: true },
    { name: "asterisk-json", protocol: "asterisk-json", audio: true },
  ],
  jambonz: [{ name: "jambonz", protocol: "jambonz", audio: true }],
  // Text both ways: an audio echo has nothing to send back. The call still checks the session is
  // served by the rules (no violation) and ends as the caller hangs up.
  conversationrelay: [
    { name: "conversationrelay", protocol: "conversationrelay", audio: false },
    { name: "telnyx-conversationrelay", protocol: "telnyx-conversationrelay", audio: false },
  ],
};

const CODE_LANGS = new Set(["ts", "typescript", "js", "javascript", "mjs"]);

/**
 * The client each serializer's blocks are driven with: the runner's own raw-PCM and Twilio clients,
 * or the caller simulator speaking that platform (`@x/ws-transport/simulator` protocol names).
 */
const WIRES: Record<string, Wire> = {
  RawPcmSerializer: "raw",
  TwilioSerializer: "twilio",
  TelnyxSerializer: "telnyx",
  PlivoSerializer: "plivo",
  ExotelSerializer: "exotel",
  VonageSerializer: "vonage",
  GenesysSerializer: "genesys",
  ProtobufSerializer: "pipecat",
  AsteriskSerializer: "asterisk",
  JambonzSerializer: "jambonz",
  FreeSwitchSerializer: "freeswitch",
  ConversationRelaySerializer: "conversationrelay",
};
const WORKERD_IMPORTS = [
  "@x/ws-transport/cloudflare",
  "@x/ws-transport/cloudflare-durable-object",
  "hono/cloudflare-workers",
];
const BUN_IMPORTS = ["@x/ws-transport/bun", "hono/bun"];
const NODE_IMPORTS = [
  "node:http",
  "ws",
  "@hono/node-server",
  "@hono/node-ws",
  "@x/ws-transport/node",
];

function importsOf(code: string): string[] {
  return [...code.matchAll(/\bfrom\s+"([^"]+)"/g)].map((m) => m[1]!);
}

/** The runtime a server block is written for, or `undefined` when it is no server. */
export function runtimeOf(code: string, lang: string): Runtime | undefined {
  const imports = importsOf(code);
  if (imports.some((i) => WORKERD_IMPORTS.includes(i))) return "workerd";
  if (/\bBun\.serve\(/.test(code) || imports.some((i) => BUN_IMPORTS.includes(i))) return "bun";
  if (imports.some((i) => NODE_IMPORTS.includes(i)) || lang.startsWith("j") || lang === "mjs") {
    return "node";
  }
  if (/\bDeno\.serve\(/.test(code)) return "deno run";
  if (/^export default\b/m.test(code)) return "deno serve";
  return undefined;
}

const DEFAULT_FILES: Record<Runtime, string> = {
  "deno serve": "main.ts",
  "deno run": "main.ts",
  node: "server.ts",
  bun: "server.ts",
  workerd: "worker.ts",
};

/** The block's own file name (`// server.mjs` on its first line), or the runtime's usual one. */
function fileOf(block: CodeBlock, runtime: Runtime): string {
  const named = /^\/\/\s*(?:\S*\/)?([\w.-]+\.(?:ts|mjs|js))\s*$/.exec(block.code.split("\n")[0]!);
  if (named) return named[1]!;
  return runtime === "node" && block.lang.startsWith("j") ? "server.mjs" : DEFAULT_FILES[runtime];
}

/**
 * The permission flags of the README's command for `file`: a `deno serve|run …` line in the next
 * shell block (before the next code block), or a trailing `// deno serve main.ts` comment in the
 * block itself. `undefined` when the README gives no command.
 */
function denoFlagsFor(blocks: CodeBlock[], index: number, file: string): string[] | undefined {
  const commands: string[] = [];
  const comment = /\/\/\s*((?:npx )?deno (?:serve|run)\b[^\n]*)/.exec(blocks[index]!.code);
  if (comment) commands.push(comment[1]!);
  for (const next of blocks.slice(index + 1)) {
    if (CODE_LANGS.has(next.lang)) break;
    if (next.lang === "sh" || next.lang === "bash") commands.push(...next.code.split("\n"));
  }
  for (const command of commands) {
    // `TOKEN=… deno run …`: the environment assignments go, the command stays.
    const words = command.trim().replace(/^(\w+=\S*\s+)+/, "").replace(/^npx /, "").split(/\s+/);
    if (words[0] !== "deno" || !["serve", "run"].includes(words[1]!)) continue;
    if (!words.some((w) => w.endsWith(file))) continue;
    return words.filter((w) => w === "-A" || w.startsWith("--allow-"));
  }
  return undefined;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** The wrangler settings for a Worker block: its own `toml` block if one follows, else defaults. */
function workerdConfig(
  blocks: CodeBlock[],
  index: number,
  code: string,
  defaultDate: string,
): WranglerConfig {
  for (const next of blocks.slice(index + 1)) {
    if (CODE_LANGS.has(next.lang)) break;
    if (next.lang === "toml") return readWranglerToml(next.code);
  }
  // No wrangler.toml shown: the Durable Object class and the binding the code declares.
  const className = /class (\w+) extends CallDurableObject\b/.exec(code)?.[1];
  const binding = /(\w+):\s*DurableObjectNamespaceLike\b/.exec(code)?.[1];
  return {
    compatibilityDate: defaultDate,
    compatibilityFlags: [],
    durableObjects: className && binding ? { [binding]: { className, useSQLite: true } } : {},
    vars: {},
  };
}

/** Reads what a server's sessions should do from its code; throws when it cannot tell. */
function serverPlan(
  block: CodeBlock,
  runtime: Runtime,
  code: string,
  options: { file: string; denoFlags: string[]; workerd: WranglerConfig | undefined; via: string },
): ServerPlan {
  const serializers = [...code.matchAll(/new (\w+Serializer)\(/g)].map((m) => m[1]!);
  const unknown = serializers.filter((s) => !(s in WIRES));
  if (unknown.length > 0) {
    throw new Error(`${where(block)}: the README runner has no client for ${unknown.join(", ")}`);
  }
  // A block that detects the provider is driven as Twilio by the runner's own client, then by the
  // caller simulator as every platform it tells apart.
  const detects = /\bdetectProvider\(/.test(code);
  const wire = detects
    ? "twilio"
    : serializers.map((s) => WIRES[s]!).find((w) => w !== "raw") ?? "raw";
  // An echo through the streams (`readable.pipeTo(writable)`) or the push surface
  // (`receive((frame) => … send(frame))`).
  const echoes = /\.pipeTo\(\s*\w+\.writable\s*\)/.test(code) ||
    /\.receive\(\s*\(?\s*(\w+)\s*\)?\s*=>[\s\S]*?\.send\(\s*\1\s*\)/.test(code);
  const replies = /\.write\(\s*\{\s*type:\s*"message"/.test(code);
  // Neither: a bot that answers the caller in its own way. The caller simulator calls it, as the
  // platform would, and checks the bot is heard answering and breaks no platform rule.
  const session = echoes ? "echo" : replies ? "reply" : "conversation";
  if (session === "reply" && wire !== "raw") {
    throw new Error(`${where(block)}: the runner's ${wire} client knows no replying bot`);
  }
  const route = /\.get\(\s*"(\/[^"]*)"/.exec(code)?.[1];
  return {
    name: `${where(block)} on ${options.via}`,
    block,
    runtime,
    file: options.file,
    code,
    denoFlags: options.denoFlags,
    wire,
    platforms: detects ? Object.values(DETECTED_PLATFORMS).flat() : [],
    path: /\bCallDurableObject\.route\(/.test(code) ? "/ws/readme-call-{n}" : route ?? "/ws",
    allowedOrigin: /allowedOrigins:\s*\[\s*"([^"]+)"/.exec(code)?.[1],
    authorizes: /\bauthorize\s*:/.test(code),
    secrets: {
      env: unique([
        ...[...code.matchAll(/\benv\.get\("(\w+)"\)/g)].map((m) => m[1]!),
        ...[...code.matchAll(/\bprocess\.env\.(\w+)/g)].map((m) => m[1]!),
      ]),
      params: unique([...code.matchAll(/searchParams\.get\("(\w+)"\)/g)].map((m) => m[1]!)),
    },
    session,
    workerd: options.workerd,
  };
}

const denoImport = /^import \{ upgradeWebSocket \} from "hono\/deno";\n/m;
const appLine = /^const app = new Hono(?:<[^\n]*>)?\(\);\n/m;
const exported = /^export default app;\n/m;

/**
 * The README's Hono app on the other runtimes, changed exactly as the README says ("only the
 * `upgradeWebSocket` import and the server"), so that sentence is tested too. On Node, where the
 * README shows the server as a fragment (`nodeServer`: "the app as above, with:"), that fragment
 * is the server, so its lines run too; without one, the least `@hono/node-ws` needs.
 */
function honoVariants(
  block: CodeBlock,
  nodeServer: CodeBlock | undefined,
): { runtime: Runtime; code: string; via: string }[] {
  if (![denoImport, appLine, exported].every((pattern) => pattern.test(block.code))) {
    throw new Error(
      `${where(block)}: the Hono block no longer has the \`hono/deno\` import, \`const app = ` +
        "new Hono(…);` and `export default app;` the README runner derives the other runtimes from",
    );
  }
  return [
    nodeServer ? honoWithNodeServer(block, nodeServer) : {
      runtime: "node",
      via: "Node (@hono/node-server + @hono/node-ws, as the README says)",
      code: block.code
        .replace(
          denoImport,
          'import { serve } from "@hono/node-server";\n' +
            'import { createNodeWebSocket } from "@hono/node-ws";\n',
        )
        .replace(
          appLine,
          (line) =>
            `${line}const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app });\n`,
        )
        .replace(exported, "injectWebSocket(serve({ fetch: app.fetch, port: 8000 }));\n"),
    },
    {
      runtime: "bun",
      via: "Bun (hono/bun, as the README says)",
      code: block.code
        .replace(denoImport, 'import { upgradeWebSocket, websocket } from "hono/bun";\n')
        .replace(
          exported,
          "export default { fetch: app.fetch, websocket: { ...websocket, maxPayloadLength: 1 << 20 } };\n",
        ),
    },
    {
      runtime: "workerd",
      via: "workerd (hono/cloudflare-workers, as the README says)",
      code: block.code.replace(
        denoImport,
        'import { upgradeWebSocket } from "hono/cloudflare-workers";\n',
      ),
    },
  ];
}

/**
 * The Hono app on Node as the README's fragment builds it: the fragment's imports for the
 * `hono/deno` one, its lines (the WebSocket helpers, the `ws` limit, the server and its guard)
 * right after the app is made, and no `export default`.
 */
function honoWithNodeServer(
  block: CodeBlock,
  fragment: CodeBlock,
): { runtime: Runtime; code: string; via: string } {
  const lines = fragment.code.split("\n").filter((line) => !/^\/\/ … the app as above/.test(line));
  const imports = lines.filter((line) => line.startsWith("import "));
  const rest = lines.filter((line) => !line.startsWith("import ")).join("\n");
  return {
    runtime: "node",
    via: `Node (the server of ${where(fragment)}, as the README says)`,
    code: block.code
      .replace(denoImport, `${imports.join("\n")}\n`)
      .replace(appLine, (line) => `${line}${rest}`)
      .replace(exported, ""),
  };
}

/**
 * The fragment that shows the Hono app's server on Node: the next code block after the app's
 * (`blocks[index]`), when it is a fragment that imports `@hono/node-ws`.
 */
function honoNodeServerAfter(blocks: CodeBlock[], index: number): CodeBlock | undefined {
  const next = blocks.slice(index + 1).find((block) => CODE_LANGS.has(block.lang));
  const isFragment = next !== undefined && /\(a fragment\)/.test(next.info);
  return isFragment && importsOf(next.code).includes("@hono/node-ws") ? next : undefined;
}

/**
 * Sorts `blocks` (one Markdown file's) into servers to run, scripts to run, blocks to type-check
 * and fragments. `defaultDate` is the compatibility date for Worker blocks that show no
 * `wrangler.toml`. Throws, naming the block, when a code block fits nowhere.
 */
export function planBlocks(blocks: CodeBlock[], defaultDate: string): ReadmePlan {
  const plan: ReadmePlan = { servers: [], scripts: [], checks: [], fragments: [] };
  for (const [index, block] of blocks.entries()) {
    if (!CODE_LANGS.has(block.lang)) continue;
    if (/\(a fragment\)/.test(block.info)) {
      plan.fragments.push(block);
      continue;
    }
    const checkFile = `${block.file.replace(/[^\w]+/g, "_")}_${block.line}.ts`;
    if (!block.lang.startsWith("j") && block.lang !== "mjs") {
      plan.checks.push({ block, file: checkFile, code: block.code });
    }
    const runtime = runtimeOf(block.code, block.lang);
    if (runtime === undefined) {
      plan.scripts.push({ block, file: checkFile, code: block.code });
      continue;
    }
    const file = fileOf(block, runtime);
    const denoFlags = denoFlagsFor(blocks, index, file) ??
      // No command in the README: what such a server needs, nothing more.
      ["--allow-net", ...(/\bDeno\.env\b/.test(block.code) ? ["--allow-env"] : [])];
    const workerd = runtime === "workerd"
      ? workerdConfig(blocks, index, block.code, defaultDate)
      : undefined;
    const via = runtime === "deno serve" || runtime === "deno run" ? `Deno (${runtime})` : runtime;
    plan.servers.push(serverPlan(block, runtime, block.code, { file, denoFlags, workerd, via }));
    if (runtime === "deno serve" && importsOf(block.code).includes("hono/deno")) {
      for (const variant of honoVariants(block, honoNodeServerAfter(blocks, index))) {
        plan.servers.push(
          serverPlan(block, variant.runtime, variant.code, {
            file: variant.runtime === "workerd" ? "worker.ts" : "main.ts",
            denoFlags: [],
            workerd: variant.runtime === "workerd"
              ? workerdConfig([], 0, variant.code, defaultDate)
              : undefined,
            via: variant.via,
          }),
        );
        plan.checks.push({
          block,
          file: `${checkFile.replace(/\.ts$/, "")}_${variant.runtime}.ts`,
          code: variant.code,
        });
      }
    }
  }
  return plan;
}
