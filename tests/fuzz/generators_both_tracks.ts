// Jittered both-tracks streams for the inbound fuzzer: a far end that streams the call's two tracks
// on one socket, the caller's put in order by `media.timestamp`, its stamps as a real sender's run
// (a few ms of jitter, a clock ±0.1 % off, the first stamp late), its packets as a real network
// carries them (lost, reordered within the reorder window, duplicated).
//
// The wire, by each provider's docs:
// - Twilio, "Media Streams - WebSocket Messages" (twilio.com/docs/voice/media-streams/
//   websocket-messages): with `<Start><Stream track="both_tracks">` the `start` message's
//   `start.tracks` is ["inbound", "outbound"]; a "Media message" carries `media.track`
//   ("inbound"/"outbound"), `media.chunk` and `media.timestamp` ("Presentation Timestamp in
//   Milliseconds from the start of the stream"), both strings; its example numbers both tracks'
//   chunks with one counter (outbound chunk "1", inbound chunk "2").
// - Plivo, "Audio Streaming" (plivo.com/docs/voice/audio-streaming/audio-streaming, "Stream Event
//   Protocol"): `<Stream audioTrack="both">` makes `start.tracks` ["inbound", "outbound"]; "media"
//   carries `media.track`, `media.chunk` and `media.timestamp` in epoch ms.
// - Telnyx, "Stream call media over WebSocket" (developers.telnyx.com/api-reference/websockets/
//   stream-call-media-over-websocket): `stream_track=both_tracks`, a `start` that names no tracks,
//   media frames with `media.track`, `media.chunk`, `media.timestamp`; "Media frame order is not
//   guaranteed. Use media.chunk, media.timestamp, and sequence_number to order frames". The
//   serializer orders by chunk until the first media of the outbound track, by timestamp after.
//
// No wrap: none of the three documents a bound on `media.chunk` or `media.timestamp` (README,
// "OrderedMedia" `modulus`: "None of the providers shipped here needs it"), so no stream wraps.
import { getPath, type InboundProtocol, type Message, setPath } from "./generators.ts";
import { PROTOCOLS } from "./protocols.ts";
import { Prng } from "./prng.ts";
import { levelledPayload } from "../serializers/fixtures/levelled_packets.ts";

/** Milliseconds of one packet of either track. */
export const PACKET_MS = 20;

/**
 * Packets at the stream's head that are never lost nor reordered. The stage has only the stamps
 * before a packet to judge it by; at the head they are too few to tell a loss from a first stamp
 * that was off (README: "the packet after it decides whether the stamps that follow are read moved
 * by as much"; a loss right after a late first cannot be seen in the stamps at all, see
 * tests/serializers/telephony/ordered_media_first_stamp_property_test.ts, `ambiguous`), and a
 * reordered first packet is a reordered start, dropped late by design (README: "packets behind it
 * within the window alone are a reordered start, late"). Four packets tell the bias
 * (`GRID_MOVE_RESIDUALS`); one more to spare.
 */
export const CLEAN_HEAD = 5;

/**
 * The farthest a packet is moved back among the caller's packets, in packets: it then arrives
 * after the packets up to two on, 40 ms of media, with a few ms of jitter well inside the 60 ms
 * window (README: "a packet after a hole waits at most 60 ms of media for it").
 */
export const MAX_DISPLACEMENT = 2;

/** A provider that streams both tracks, as the fuzzer speaks it. */
export interface BothTracksProtocol {
  /** The name `--protocol` takes: the provider's, `_both`. */
  readonly name: string;
  /** The provider's inbound fuzz protocol: its serializer, options, controls and stop. */
  readonly base: InboundProtocol;
  /** The stamp of the stream's true time 0 (Plivo's are epoch ms). */
  readonly epochMs: number;
  /** The opening, its `start` announcing both tracks where the provider's `start` does. */
  opening(): Message[];
  /**
   * Whether the serializer learns of the second track only from its first media (Telnyx): the
   * caller's packets are ordered by chunk until then.
   */
  readonly learnsFromMedia: boolean;
}

/**
 * Impairments a run may leave out (`--skip reorder,duplicate`), to look past a fault known while
 * it is being fixed: `reorder`, the caller's packets delayed past later ones; `duplicate`, the
 * caller's packets sent twice; `straddle`, Telnyx's
 * caller packets from before the bot's track showed duplicated (the copy may come after it);
 * `switch-loss`, Telnyx's first caller packet after the bot's track showed lost.
 */
export type Impairment = "reorder" | "duplicate" | "straddle" | "switch-loss";

/** Every impairment `--skip` may name. */
export const IMPAIRMENTS: readonly Impairment[] = [
  "reorder",
  "duplicate",
  "straddle",
  "switch-loss",
];

/** What a message on the wire is, for the ledger. */
export type SentKind = "opening" | "inbound" | "outbound" | "control" | "stop";

/** One message of a both-tracks stream. */
export interface SentStep {
  kind: SentKind;
  label: string;
  wire: string;
  /** The caller's packet it carries (inbound media only). */
  packet?: number;
  /** Whether it repeats an inbound message already sent, byte for byte. */
  duplicate?: boolean;
}

/** A stream's truth beside its messages. */
export interface BothTracksPlan {
  protocol: string;
  seed: number;
  steps: SentStep[];
  /** The caller's packets, `0..count-1`, each 20 ms on the true timeline. */
  count: number;
  /** The caller's packets the network lost (never sent). */
  lost: ReadonlySet<number>;
  /** The impairments left out (see `Impairment`). */
  leftOut: Impairment[];
  /** How the stamps run: for the failure report. */
  stamps: { jitterMs: number; drift: number; firstLateMs: number };
}

/** Chances and bounds of one stream, drawn from its seed. */
interface Impairments {
  jitterMs: number;
  drift: number;
  firstLateMs: number;
  lossChance: number;
  reorderChance: number;
  duplicateChance: number;
  controlChance: number;
  /** Telnyx: the caller's packets before the first of the outbound track. */
  outboundFrom: number;
}

function drawImpairments(rng: Prng): Impairments {
  return {
    // A few ms: a sender stamping by its wall clock as packets leave.
    jitterMs: rng.int(5),
    drift: rng.pick([-0.001, 0, 0, 0.001]),
    firstLateMs: rng.chance(0.3) ? rng.int(101) : 0,
    lossChance: rng.pick([0, 0.01, 0.03, 0.08]),
    reorderChance: rng.pick([0, 0.02, 0.05]),
    duplicateChance: rng.pick([0, 0.01, 0.03]),
    controlChance: rng.pick([0, 0.02]),
    outboundFrom: rng.int(6),
  };
}

/** The steps of one both-tracks stream of `count` caller packets: a seed always gives the same. */
export function planBothTracks(
  protocol: BothTracksProtocol,
  seed: number,
  count: number,
  leaveOut: ReadonlySet<Impairment> = new Set(),
): BothTracksPlan {
  const rng = new Prng(seed);
  const impair = drawImpairments(rng);
  const { base } = protocol;
  const steps: SentStep[] = protocol.opening().map((message) => ({
    kind: "opening" as const,
    label: "opening",
    wire: wireOf(message),
  }));
  let sequence = steps.length;
  let chunk = 0;

  // The network's losses, in bursts of one to three, never in the clean head nor the last packet
  // (no later stamp would show it: a loss no receiver can see).
  const lost = new Set<number>();
  for (let packet = CLEAN_HEAD; packet < count - 1; packet++) {
    if (!rng.chance(impair.lossChance)) continue;
    const atSwitch = protocol.learnsFromMedia && packet === impair.outboundFrom;
    if (atSwitch && leaveOut.has("switch-loss")) continue;
    const burst = 1 + rng.int(3);
    for (let i = 0; i < burst && packet < count - 1; i++) lost.add(packet++);
  }

  // The first stamp's lateness is forgiven by timestamp order alone (README: "so is one stamped
  // farther back, up to 5 s, right after the stream's first packet since its `start`"). Telnyx
  // orders by chunk until the bot's track shows, and there a media time is the frame's as it is:
  // one "before the stream began" a decode error, by design. Its first is late only where the
  // bot's track comes first.
  const firstLateMs = protocol.learnsFromMedia && impair.outboundFrom > 0 ? 0 : impair.firstLateMs;
  /** A packet's stamp: its true time on a clock off by `drift`, jittered. */
  const stampOf = (packet: number, track: "inbound" | "outbound") => {
    const trueMs = PACKET_MS * packet * (1 + impair.drift);
    const jitter = rng.int(2 * impair.jitterMs + 1) - impair.jitterMs;
    const late = track === "inbound" && packet === 0 ? firstLateMs : 0;
    return protocol.epochMs + Math.round(trueMs) + jitter + late;
  };

  // The far end's messages in the order it sends them: for each 20 ms, the bot's packet then the
  // caller's, one chunk counter across both (a lost packet's number left unused).
  const sent: SentStep[] = [];
  for (let packet = 0; packet < count; packet++) {
    const outbound = !protocol.learnsFromMedia || packet >= impair.outboundFrom;
    if (outbound) {
      const wire = mediaWire(base, ++sequence, ++chunk, "outbound", stampOf(packet, "outbound"));
      sent.push({ kind: "outbound", label: `outbound ${packet}`, wire });
    }
    chunk++;
    if (!lost.has(packet)) {
      const stamp = stampOf(packet, "inbound");
      const wire = mediaWire(base, ++sequence, chunk, "inbound", stamp, levelledPayload(packet));
      sent.push({
        kind: "inbound",
        label: `inbound ${packet} @${stamp - protocol.epochMs}`,
        wire,
        packet,
      });
    }
    if (rng.chance(impair.controlChance)) {
      const control = rng.pick(base.controls(++sequence));
      sent.push({ kind: "control", label: "control", wire: wireOf(control) });
    }
  }

  // Reordering: a caller's packet arrives after the caller's packets up to MAX_DISPLACEMENT on
  // (and the bot's between them: the network delays one message, whatever its track).
  const arrival = [...sent];
  for (let i = 0; i < arrival.length; i++) {
    const step = arrival[i]!;
    if (step.kind !== "inbound" || step.packet! < CLEAN_HEAD) continue;
    // Drawn even when left out, so that a seed's other impairments stay as they were.
    if (!rng.chance(leaveOut.has("reorder") ? 0 : impair.reorderChance)) continue;
    const past = 1 + rng.int(MAX_DISPLACEMENT);
    // The hole it leaves begins at the first of the packets lost right before it: the window
    // counts from there (a packet after two lost ones, delayed past one more, is 60 ms behind).
    let holeStart = step.packet!;
    while (lost.has(holeStart - 1)) holeStart--;
    let to = i;
    let passed = 0;
    for (let j = i + 1; j < arrival.length && passed < past; j++) {
      const other = arrival[j]!;
      if (other.kind !== "inbound") continue;
      if (other.packet! - holeStart > MAX_DISPLACEMENT) break;
      to = j;
      passed++;
    }
    if (to === i) continue;
    arrival.splice(i, 1);
    arrival.splice(to, 0, { ...step, label: `${step.label} (delayed past ${passed})` });
    i = to; // a packet is delayed once
  }

  // Duplicates: a caller's message sent again, byte for byte, after up to two more messages.
  let waiting: { step: SentStep; after: number }[] = [];
  const sendDue = (all: boolean) => {
    const due = waiting.filter((w) => all || w.after-- <= 0);
    waiting = waiting.filter((w) => !due.includes(w));
    for (const { step } of due) steps.push(step);
  };
  for (const step of arrival) {
    steps.push(step);
    sendDue(false);
    const straddles = protocol.learnsFromMedia && (step.packet ?? Infinity) < impair.outboundFrom;
    const left = leaveOut.has("duplicate") || (leaveOut.has("straddle") && straddles);
    const chance = left ? 0 : impair.duplicateChance;
    if (step.kind === "inbound" && rng.chance(chance)) {
      const duplicate = { ...step, label: `duplicate of ${step.label}`, duplicate: true };
      waiting.push({ step: duplicate, after: rng.int(3) });
    }
  }
  sendDue(true);

  if (base.stop) steps.push({ kind: "stop", label: "stop", wire: wireOf(base.stop(++sequence)) });
  return {
    protocol: protocol.name,
    seed,
    steps,
    count,
    lost,
    leftOut: IMPAIRMENTS.filter((i) => leaveOut.has(i)),
    stamps: {
      jitterMs: impair.jitterMs,
      drift: impair.drift,
      firstLateMs,
    },
  };
}

/** A message as the client socket sends it. */
function wireOf(message: Message): string {
  if (message.kind !== "json") throw new Error("both-tracks streams are JSON");
  return JSON.stringify(message.value);
}

/**
 * One track's media message: the provider's own media message (its fixture's shape, numbered by
 * `base.media`), its track, chunk and stamp set, each field of the type the provider writes it in
 * (Twilio's and Telnyx's strings, Plivo's number chunk and string stamp).
 */
function mediaWire(
  base: InboundProtocol,
  sequence: number,
  chunk: number,
  track: "inbound" | "outbound",
  stampMs: number,
  payload?: string,
): string {
  const message = base.media(sequence, chunk);
  if (message.kind !== "json") throw new Error(`${base.name}: media is not JSON`);
  const value = message.value;
  const typed = (path: readonly string[], n: number) =>
    setPath(value, path, typeof getPath(value, path) === "string" ? String(n) : n);
  typed(["media", "chunk"], chunk);
  typed(["media", "timestamp"], stampMs);
  setPath(value, ["media", "track"], track);
  // The bot's track is what the far end plays: its level says nothing here, silence will do.
  setPath(value, ["media", "payload"], payload ?? MULAW_SILENCE_20MS);
  return JSON.stringify(value);
}

/** 20 ms of μ-law silence at 8 kHz (0xFF: μ-law's zero), base64. */
const MULAW_SILENCE_20MS = btoa(String.fromCharCode(...new Uint8Array(160).fill(0xff)));

/** The provider's opening, its `start` changed by `edit`. */
function openingWith(
  base: InboundProtocol,
  edit: (start: Record<string, unknown>) => void,
): () => Message[] {
  return () =>
    base.opening().map((message) => {
      if (message.kind === "json" && message.value.event === "start") {
        edit(message.value.start as Record<string, unknown>);
      }
      return message;
    });
}

const protocol = (name: string): InboundProtocol => {
  const found = PROTOCOLS.get(name);
  if (!found) throw new Error(`no inbound fuzz protocol ${name}`);
  return found;
};

const BOTH = ["inbound", "outbound"];

/** Twilio, `<Stream track="both_tracks">`: its `start.tracks` names both. */
const twilioBoth: BothTracksProtocol = {
  name: "twilio_both",
  base: protocol("twilio"),
  // The docs' example media message is stamped "5": never below 0 with a few ms of jitter.
  epochMs: 5,
  opening: openingWith(protocol("twilio"), (start) => start.tracks = BOTH),
  learnsFromMedia: false,
};

/** Plivo, `<Stream audioTrack="both">`: `start.tracks` names both; stamps in epoch ms. */
const plivoBoth: BothTracksProtocol = {
  name: "plivo_both",
  base: protocol("plivo"),
  epochMs: 1705312200000,
  opening: openingWith(protocol("plivo"), (start) => start.tracks = BOTH),
  learnsFromMedia: false,
};

/**
 * Telnyx, `stream_track=both_tracks`: the `start` names no tracks. PCMU (one of the codecs its
 * reference lists for `media_format.encoding`), so that the caller's packets are the levelled
 * μ-law ones.
 */
const telnyxBoth: BothTracksProtocol = {
  name: "telnyx_both",
  base: protocol("telnyx"),
  // As Twilio's (its messages follow Twilio's; the reference's example is stamped "5" too).
  epochMs: 5,
  opening: openingWith(protocol("telnyx"), (start) => {
    (start.media_format as Record<string, unknown>).encoding = "PCMU";
  }),
  learnsFromMedia: true,
};

/** The both-tracks streams, by the name `--protocol` takes. */
export const BOTH_TRACKS_PROTOCOLS: ReadonlyMap<string, BothTracksProtocol> = new Map(
  [twilioBoth, plivoBoth, telnyxBoth].map((p) => [p.name, p]),
);
