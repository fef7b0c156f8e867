// Hostile message sequences per provider: each provider's documented call (the fixtures, which
// cite the provider's documentation) replayed in a random order, one message in two mutated at
// one field (a huge or negative number, a wrong type, a field gone, a duplicated start, media
// before start or after the stop, binary of an odd length). Unlike the one-message fuzzers in
// each provider's test, the serializer keeps its state across the whole sequence, as in a call.
// Every answer must be frames or a TransportError; every asynchronous answer must settle within
// the serializer's bounds; once the session ends (its signal aborted) no timer of it is left.
import assert from "node:assert/strict";
import { TransportError } from "../../src/errors.ts";
import type { Frame } from "../../src/frames.ts";
import type { FrameSerializer, SerializerContext } from "../../src/serializer.ts";
import { FakeClock } from "../../src/testing/fake_clock.ts";
import { AsteriskSerializer } from "../../src/serializers/asterisk.ts";
import { ConversationRelaySerializer } from "../../src/serializers/conversation_relay.ts";
import { ExotelSerializer } from "../../src/serializers/exotel.ts";
import { FreeSwitchSerializer } from "../../src/serializers/freeswitch.ts";
import { GenesysSerializer } from "../../src/serializers/genesys.ts";
import { JambonzSerializer } from "../../src/serializers/jambonz.ts";
import { PlivoSerializer } from "../../src/serializers/plivo.ts";
import { TelnyxSerializer } from "../../src/serializers/telnyx.ts";
import { TwilioSerializer } from "../../src/serializers/twilio.ts";
import { VonageSerializer } from "../../src/serializers/vonage.ts";
import { asteriskJsonCall, asteriskPlainTextCall } from "./fixtures/asterisk_call.ts";
import { freeswitchCall, jambonzCall } from "./fixtures/audio_fork_calls.ts";
import { twilioRelaySession } from "./fixtures/conversation_relay_session.ts";
import { exotelCall } from "./fixtures/exotel_call.ts";
import { genesysSession } from "./fixtures/genesys_session.ts";
import { plivoCall } from "./fixtures/plivo_call.ts";
import { telnyxCall } from "./fixtures/telnyx_call.ts";
import { twilioCall } from "./fixtures/twilio_call.ts";
import { vonageCall } from "./fixtures/vonage_call.ts";

const RUNS = 150;

/** A small deterministic generator: a failure names its seed and replays. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const HOSTILE: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 2,
  4294967296,
  "",
  "x",
  "-1",
  "1e400",
  "9007199254740993",
  "NaN",
  [],
  {},
  [1, 2],
  "A".repeat(5000),
  "AAA",
  "__proto__",
  " 12 ",
  8000,
  16000,
  "audio/x-mulaw",
  "inbound",
];

/** The steps of a fixture that come from the far end: their wire messages. */
function farEndMessages(steps: readonly object[]): unknown[] {
  return steps.filter((step) => "from" in step).map((step) =>
    (step as unknown as { wire: unknown }).wire
  );
}

interface Provider {
  name: string;
  make: () => FrameSerializer;
  messages: unknown[];
  rate: number;
}

const PROVIDERS: readonly Provider[] = [
  {
    name: "Twilio",
    make: () => new TwilioSerializer(),
    messages: farEndMessages(twilioCall),
    rate: 8000,
  },
  {
    name: "Telnyx",
    make: () => new TelnyxSerializer(),
    messages: farEndMessages(telnyxCall),
    rate: 16000,
  },
  {
    name: "Plivo",
    make: () => new PlivoSerializer(),
    messages: farEndMessages(plivoCall),
    rate: 16000,
  },
  {
    name: "Exotel",
    make: () => new ExotelSerializer(),
    messages: farEndMessages(exotelCall),
    rate: 8000,
  },
  {
    name: "Vonage",
    make: () => new VonageSerializer(),
    messages: farEndMessages(vonageCall),
    rate: 16000,
  },
  {
    name: "Asterisk (text)",
    make: () => new AsteriskSerializer(),
    messages: farEndMessages(asteriskPlainTextCall),
    rate: 8000,
  },
  {
    name: "Asterisk (JSON)",
    make: () => new AsteriskSerializer(),
    messages: farEndMessages(asteriskJsonCall),
    rate: 8000,
  },
  {
    name: "jambonz",
    make: () => new JambonzSerializer(),
    messages: farEndMessages(jambonzCall),
    rate: 16000,
  },
  {
    name: "FreeSWITCH",
    make: () => new FreeSwitchSerializer(),
    messages: farEndMessages(freeswitchCall),
    rate: 16000,
  },
  {
    name: "Genesys",
    make: () => new GenesysSerializer(),
    messages: farEndMessages(genesysSession),
    rate: 8000,
  },
  {
    name: "ConversationRelay",
    make: () => new ConversationRelaySerializer(),
    messages: farEndMessages(twilioRelaySession),
    rate: 16000,
  },
];

/** `value` with one field somewhere in it replaced by a hostile value, or removed. */
function mutated(value: unknown, next: () => number, depth = 0): unknown {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  if (typeof value !== "object" || value === null) return pick(HOSTILE);
  const copy: Record<string, unknown> = Array.isArray(value) ? [...value] as never : { ...value };
  const keys = Object.keys(copy);
  if (keys.length === 0) return pick(HOSTILE);
  const key = pick(keys);
  const roll = next();
  if (roll < 0.15) delete copy[key];
  else if (roll < 0.55 || depth > 3) copy[key] = pick(HOSTILE);
  else copy[key] = mutated(copy[key], next, depth + 1);
  return copy;
}

/** One wire message: a fixture's (maybe mutated), as the socket would hand it over. */
function message(provider: Provider, next: () => number): string | Uint8Array {
  const wire = provider.messages[Math.floor(next() * provider.messages.length)];
  // A number in a fixture is a binary message of that many bytes (audio).
  if (typeof wire === "number") {
    const lengths = [wire, wire, 0, 1, 3, 161, 4000];
    return new Uint8Array(lengths[Math.floor(next() * lengths.length)]!);
  }
  let value = wire;
  if (typeof wire === "string") {
    try {
      value = JSON.parse(wire);
    } catch {
      // Plain text (Asterisk's commands, FreeSWITCH's metadata): kept, or replaced.
      return next() < 0.5 ? wire : String(HOSTILE[Math.floor(next() * HOSTILE.length)]);
    }
  }
  if (next() < 0.5) value = mutated(value, next);
  return typeof value === "string" ? value : JSON.stringify(value);
}

const OUTBOUND: readonly ((rate: number, i: number) => Frame)[] = [
  (rate) => ({ type: "audio", audio: new Uint8Array(rate / 25), sampleRate: rate, channels: 1 }),
  (_, i) => ({ type: "mark", name: `m${i}` }),
  () => ({ type: "interruption" }),
  () => ({ type: "dtmf", digit: "5" }),
  () => ({ type: "message", message: { type: "note", n: 1 } }),
];

/** `result` settled, the clock moved on in seconds meanwhile; "hung" past 200 s. */
async function settled<T>(clock: FakeClock, result: T | Promise<T>): Promise<T | "hung"> {
  if (!(result instanceof Promise)) return result;
  let outcome: { value: T } | { error: unknown } | undefined;
  result.then((value) => (outcome = { value }), (error) => (outcome = { error }));
  for (let s = 0; s < 200 && outcome === undefined; s++) await clock.tick(1000);
  if (outcome === undefined) return "hung";
  if ("error" in outcome) throw outcome.error;
  return outcome.value;
}

/** Runs `step`; what is wrong about it (a hang, a throw that is no TransportError), or nothing. */
async function checked(
  what: string,
  clock: FakeClock,
  step: () => unknown,
): Promise<string | undefined> {
  try {
    const result = await settled(clock, step());
    if (result === "hung") return `${what} did not settle within 200 s`;
    const frames = result === null || result === undefined ? [] : [result].flat();
    for (const frame of frames) {
      if (what === "deserialize" && typeof (frame as Frame)?.type !== "string") {
        return `deserialize returned ${JSON.stringify(frame)}`;
      }
    }
  } catch (error) {
    if (!(error instanceof TransportError)) return `${what} threw ${String(error)}`;
  }
  return undefined;
}

for (const provider of PROVIDERS) {
  Deno.test(`${provider.name}: hostile message sequences get frames or typed errors, and leave no timer`, async () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const next = random(seed * 7919);
      const clock = new FakeClock();
      const session = new AbortController();
      const problems: string[] = [];
      const sent: string[] = [];
      const context: SerializerContext = {
        send: () => {},
        count: () => {},
        report: (error) => {
          if (!(error instanceof TransportError)) problems.push(`reported ${String(error)}`);
        },
        inboundFrames: () => {},
        inboundPacket: () => {},
        pauseSending: () => {},
        farEndHeld: () => {},
        farEndInterrupted: () => {},
        clock,
        sendTimeoutMs: 1000,
        signal: session.signal,
      };
      const serializer = provider.make();
      serializer.bind?.(context);
      await serializer.setup?.({
        inputSampleRate: provider.rate,
        inputChannels: 1,
        outputSampleRate: provider.rate,
        outputChannels: 1,
        outputChunkMs: 20,
      });
      const steps = 5 + Math.floor(next() * 25);
      for (let i = 0; i < steps; i++) {
        const data = message(provider, next);
        sent.push(typeof data === "string" ? data.slice(0, 200) : `<${data.length} bytes>`);
        problems.push(...[await checked("deserialize", clock, () => serializer.deserialize(data))]
          .filter((p) => p !== undefined));
        if (next() < 0.3) {
          const frame = OUTBOUND[Math.floor(next() * OUTBOUND.length)]!(provider.rate, i);
          problems.push(...[await checked("serialize", clock, () => serializer.serialize(frame))]
            .filter((p) => p !== undefined));
        }
        if (next() < 0.2) await clock.tick(Math.floor(next() * 3000));
      }
      const end = await checked(
        "serialize end",
        clock,
        () => serializer.serialize({ type: "end" }),
      );
      if (end !== undefined) problems.push(end);
      const finish = (serializer as { finish?: () => unknown }).finish;
      const finished = await checked("finish", clock, () => finish?.call(serializer));
      if (finished !== undefined) problems.push(finished);
      session.abort();
      await Promise.resolve();
      if (clock.pendingTimers !== 0) {
        problems.push(`${clock.pendingTimers} timers left after the session ended`);
      }
      assert.deepEqual(problems, [], `seed ${seed}, messages:\n  ${sent.join("\n  ")}`);
    }
  });
}
