/**
 * {@linkcode realtimeBridge}: a fetch handler that takes phone calls from any telephony provider
 * this package speaks and bridges each to a speech-to-speech model (`bridge_call.ts`).
 *
 * @module
 */

import {
  type Clock,
  type FrameSerializer,
  type SpeechDetectorOptions,
  systemClock,
  type TransportOptions,
  type WebSocketLike,
  WebSocketTransport,
} from "@x/ws-transport";
import type { DetectProviderOptions, TelephonyProvider } from "@x/ws-transport/detect";
import { upgrade } from "@x/ws-transport/deno";
import { bridgeCall, type BridgedCall } from "./bridge_call.ts";
import { audioOutFor, identifyCall, PROVIDERS, serializerFor } from "./_telephony_socket.ts";
import type { RealtimeModel } from "./realtime_model.ts";

/** A call as the bridge starts it. */
export interface CallStart {
  /** The telephony provider. */
  provider: TelephonyProvider;
  /**
   * The call's session with the provider: listen to its events and read its `stats` and
   * `playback`, but leave its frames to the bridge (it takes them with `receive`).
   */
  transport: WebSocketTransport;
  /** The call's session with the model. */
  model: RealtimeModel;
  /** Settles with what happened once the call is over. */
  done: Promise<BridgedCall>;
}

/** Options for {@linkcode realtimeBridge}. */
export interface RealtimeBridgeOptions {
  /** Makes the model side of a call, once the provider is known (one per call). */
  model: (call: { provider: TelephonyProvider }) => RealtimeModel;
  /**
   * Each provider's serializer options (auth tokens for hanging up, …).
   *
   * @default {{}}
   */
  providers?: DetectProviderOptions;
  /**
   * Decides whether a request may open a call (signature checks, a shared secret, …); `provider`
   * is `undefined` on the path that detects it. Refused requests get 401, and so do those it has
   * not answered within `authorizeTimeoutMs`.
   *
   * @default {() => true}
   */
  authorize?: (
    request: Request,
    provider: TelephonyProvider | undefined,
  ) => boolean | Promise<boolean>;
  /**
   * Upgrades the request; give another runtime's (or a test's) here. By default a named path's
   * call is upgraded by this package's Deno adapter (`upgrade` of `@x/ws-transport/deno`, with
   * its request checks), and the detecting path's by `Deno.upgradeWebSocket`.
   *
   * @default {(request) => Deno.upgradeWebSocket(request)}
   */
  accept?: (request: Request) => { socket: WebSocketLike; response: Response };
  /**
   * More transport options (`markIntervalMs`, `clock`, …); the serializer and audio formats are
   * the bridge's.
   *
   * @default {{}}
   */
  transport?: Omit<TransportOptions, "serializer" | "audioIn" | "audioOut" | "initialMessages">;
  /**
   * See `BridgeCallOptions.localBargeIn`.
   *
   * @default {false}
   */
  localBargeIn?: boolean | SpeechDetectorOptions;
  /**
   * How long `authorize` may take to answer: a check that hangs (a stalled lookup) would hold
   * the caller's connection, unanswered, for ever.
   *
   * @default {5000}
   */
  authorizeTimeoutMs?: number;
  /**
   * On the detecting path, how long the first messages may take to tell the provider.
   *
   * @default {5000}
   */
  detectTimeoutMs?: number;
  /**
   * Called as each call starts (metrics, tests).
   *
   * @default {undefined}
   */
  onCall?: (call: CallStart) => void;
  /**
   * Logs what happens.
   *
   * @default {() => {}}
   */
  log?: (...data: unknown[]) => void;
}

/** How many first messages the detecting path reads before it gives up. */
const MAX_DETECT_MESSAGES = 20;

/**
 * A fetch handler for `deno serve`: a WebSocket upgrade on `/twilio`, `/telnyx`, `/plivo`,
 * `/exotel`, `/vonage` or `/genesys` is a call from that provider; on `/` or `/media` the
 * provider is told from the call's first messages (`detectProvider`). Each call gets its own
 * model session (`options.model`) and runs until either side hangs up. Other paths get 404, plain
 * requests 426.
 *
 * @example
 * ```ts ignore
 * export default {
 *   fetch: realtimeBridge({ model: () => new OpenAIRealtime({ apiKey }) }),
 * } satisfies Deno.ServeDefaultExport;
 * ```
 */
export function realtimeBridge(
  options: RealtimeBridgeOptions,
): (request: Request) => Promise<Response> {
  const log = options.log ?? (() => {});
  const providers = options.providers ?? {};
  const clock: Clock = options.transport?.clock ?? systemClock;
  const accept = options.accept ?? ((request: Request) => Deno.upgradeWebSocket(request));

  const start = (
    socket: WebSocketLike,
    call: { provider: TelephonyProvider; serializer: FrameSerializer },
    initialMessages: (string | Uint8Array)[],
  ) => {
    try {
      startCall(socket, call, initialMessages);
    } catch (error) {
      // A model factory (or transport option) that throws: this call cannot go on, others can.
      log(`${call.provider} call refused:`, error);
      if (socket.readyState < 2) socket.close(1011, "the bridge could not start the call");
    }
  };

  /** The call's model, transport options and padding, once its provider is known. */
  const prepare = (
    call: { provider: TelephonyProvider; serializer: FrameSerializer },
    initialMessages: (string | Uint8Array)[],
  ) => {
    const model = options.model({ provider: call.provider });
    const { chunkMs, wholeMs, options: providerOptions } = audioOutFor(call.provider);
    const transportOptions: TransportOptions = {
      ...providerOptions,
      ...options.transport,
      serializer: call.serializer,
      audioIn: { sampleRate: model.inputSampleRate, channels: 1 },
      audioOut: { sampleRate: model.outputSampleRate, channels: 1, chunkMs },
      initialMessages,
    };
    return { model, wholeMs, transportOptions };
  };

  const bridge = (
    provider: TelephonyProvider,
    transport: WebSocketTransport,
    { model, wholeMs }: { model: RealtimeModel; wholeMs: number },
  ) => {
    transport.addEventListener("error", (event) => log("transport error:", event.error));
    log(`${provider} call → ${model.name}`);
    const done = bridgeCall(transport, {
      model,
      chunkMs: wholeMs,
      ...(options.localBargeIn ? { localBargeIn: options.localBargeIn } : {}),
      log,
    });
    done.catch((error) => log(`${provider} call failed:`, error));
    options.onCall?.({ provider, transport, model, done });
  };

  const startCall = (
    socket: WebSocketLike,
    call: { provider: TelephonyProvider; serializer: FrameSerializer },
    initialMessages: (string | Uint8Array)[],
  ) => {
    const prepared = prepare(call, initialMessages);
    bridge(call.provider, new WebSocketTransport(socket, prepared.transportOptions), prepared);
  };

  /**
   * A named path's call upgraded by the Deno adapter, not bare `Deno.upgradeWebSocket`: the
   * adapter's request checks and session bounds come with it. The detecting path cannot: the
   * adapter wants the serializer before the first message tells the provider. Either way a
   * caller that never answers the bridge's Close is dropped after `closeTimeoutMs`.
   */
  const upgradeNamed = async (request: Request, provider: TelephonyProvider) => {
    try {
      const prepared = prepare({ provider, serializer: serializerFor(provider, providers) }, []);
      const { transport, response } = await upgrade(request, prepared.transportOptions);
      if (transport !== null) bridge(provider, transport, prepared);
      return response;
    } catch (error) {
      // A model factory (or transport option) that throws: this call cannot go on, others can.
      log(`${provider} call refused:`, error);
      return new Response("The bridge could not start the call", { status: 500 });
    }
  };

  return async (request) => {
    const path = new URL(request.url).pathname.replace(/\/+$/, "") || "/";
    const named = PROVIDERS.find((provider) => path === `/${provider}`);
    if (named === undefined && path !== "/" && path !== "/media") {
      return new Response("Not found", { status: 404 });
    }
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", {
        status: 426,
        headers: { upgrade: "websocket" },
      });
    }
    if (options.authorize) {
      // A check that throws, or does not answer in time, has not said yes; its error stays in the
      // log, not in the response.
      const timeoutMs = options.authorizeTimeoutMs ?? 5000;
      const timer = new AbortController();
      const allowed = await Promise.race([
        Promise.resolve()
          .then(() => options.authorize!(request, named))
          .catch((error) => (log("authorize threw:", error), false)),
        clock.sleep(timeoutMs, timer.signal).then(
          () => (log(`authorize did not answer within ${timeoutMs} ms`), false),
          () => false, // answered first
        ),
      ]).finally(() => timer.abort());
      if (allowed !== true) return new Response("Unauthorized", { status: 401 });
    }
    if (named !== undefined && options.accept === undefined) {
      return await upgradeNamed(request, named);
    }
    let accepted: { socket: WebSocketLike; response: Response };
    try {
      accepted = accept(request);
    } catch (error) {
      return new Response(`Bad upgrade: ${String(error)}`, { status: 400 });
    }
    const { socket, response } = accepted;
    if (named !== undefined) {
      start(socket, { provider: named, serializer: serializerFor(named, providers) }, []);
      return response;
    }
    // Binary messages must not arrive as Blob while the provider is being told.
    socket.binaryType = "arraybuffer";
    identifyCall(socket, {
      providers,
      clock,
      timeoutMs: options.detectTimeoutMs ?? 5000,
      maxMessages: MAX_DETECT_MESSAGES,
      onCall: (call) => start(socket, call, call.messages),
      onFail: (why) => log("call refused:", why),
    });
    return response;
  };
}
