/**
 * What FreeSWITCH's `mod_audio_fork` with bidirectional streaming needs of a serializer, whether
 * a FreeSWITCH application started it (`FreeSwitchSerializer`) or jambonz's `listen` verb did
 * (`JambonzSerializer`): outbound L16 safe from the module's mark sentinel, the set-up checks, and
 * the messages of a mark frame and of an `end`, the reply's end flushed first. Internal to the
 * serializers.
 *
 * The module's buffers as counted are in `_fork_buffers.ts` (`ForkBuffers`), its marks in
 * `_fork_marks.ts` (`ForkMarks`), the names they travel under in `_fork_mark_names.ts`: this file
 * holds what needs no state of its own, and the sequences that drive `ForkMarks` at a reply's end.
 *
 * @module
 */

import type { SerializedMessage, SerializerContext } from "../serializer.ts";
import { systemClock } from "../clock.ts";
import { TransportError } from "../errors.ts";
import { PLAYOUT_END_MARK_PREFIX } from "../playback.ts";
import type { ForkMarks } from "./_fork_marks.ts";
import { describe, isObject, type JsonObject } from "./telephony/_json_value.ts";

/** Ends the fork: jambonz closes the socket and ends the `listen`. */
export const DISCONNECT = '{"type":"disconnect"}';

/**
 * The module marks a mark's place in its playout buffer with the sample 0xFFFF and takes any
 * such sample it meets while marks are pending for a mark (`AUDIO_MARKER`,
 * jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp`): audio holding the value -1 would
 * acknowledge marks early and lose samples. Outbound audio has each -1 moved to -2 (one step,
 * inaudible); the bytes are copied only when one is found.
 */
export function withoutMarkSentinel(pcm: Uint8Array): Uint8Array {
  let copy: Uint8Array | undefined;
  for (let i = 0; i + 1 < pcm.length; i += 2) {
    if (pcm[i] === 0xff && pcm[i + 1] === 0xff) {
      // Deliberate copy: the bytes may be the caller's, and must not change under it.
      copy ??= pcm.slice();
      copy[i] = 0xfe;
    }
  }
  return copy ?? pcm;
}

/**
 * The non-fatal error to report once when the bot's audio goes back at `returnRate` and the fork
 * streams at `streamRate`, or `undefined` when they are equal. The module resamples returned audio
 * to the channel's codec rate, which no message names; the fork's rate is that rate on the usual
 * call (the fork asked at the codec's rate), so a return rate that differs almost always means
 * resampling, and resampling erases the module's mark samples (see `FIRST_THRESHOLD` in
 * `_fork_buffers.ts`): marks never answered, or answered at random by a resampled sample that
 * happens to be -1, and the transport goes by its playout estimate. Equal rates cannot be checked
 * further: a codec at another rate (G.711 under a 16 kHz fork) breaks marks unseen.
 */
export function rateWarning(
  provider: string,
  returnRate: number,
  returnName: string,
  streamRate: number,
  streamName: string,
): TransportError | undefined {
  if (returnRate === streamRate) return undefined;
  return new TransportError(
    "protocol",
    `${provider}: the bot's audio goes back at ${returnRate} Hz (${returnName}) and the stream ` +
      `comes at ${streamRate} Hz (${streamName}): unless the call's codec runs at ${returnRate} ` +
      `Hz, mod_audio_fork resamples the bot's audio and the mark samples in it, so marks are not ` +
      `acknowledged (or at random) and playback falls back to the estimate; send back at the ` +
      `codec's rate, or give the session markIntervalMs: 0 and send no marks`,
  );
}

/**
 * Throws the set-up's error when the transport cuts the audio into packets
 * (`fixedAudioPacketSize`): the module gathers what it is sent into batches of its own, so a
 * packet size buys nothing, and the packetizer breaks what {@linkcode ForkMarks} knows of the
 * module's buffers. A mark's command would overtake the audio the packetizer still holds of the
 * sentence before it (answered early), and at an interruption the partial packet it drops would
 * leave the silence that flushes the pre-buffer short (the interrupted reply's end opening the
 * next).
 */
export function refusePackets(provider: string, packetBytes: number | undefined): void {
  if (packetBytes === undefined) return;
  throw new TransportError(
    "protocol",
    `${provider}: fixedAudioPacketSize ${packetBytes} does not work with mod_audio_fork: the ` +
      "module batches the audio itself, and packets held back put mark commands ahead of the " +
      "audio they follow and leave an interrupted reply's end to open the next; leave " +
      "fixedAudioPacketSize unset",
  );
}

/**
 * The messages of a `mark` frame. Any mark but the transport's end-of-speech one may fall
 * mid-speech (a bot marking each sentence): its command is held for the next binary message (see
 * `ForkMarks`), and nothing goes now (an empty array). After the end-of-speech mark (sent once
 * nothing more was written for a while: the reply is over) comes the silence that flushes the
 * module's pre-buffer: the marks' commands go first, so their markers do, and the mark is
 * answered when the reply's last sample has played; the reply's end plays now, not at the next
 * reply's start. With nothing in the pre-buffer, the commands go at once. Padding a mark
 * mid-speech would put silence into the speech.
 */
export function markWithTail(marks: ForkMarks, name: string): SerializedMessage[] | null {
  // Refused, counted: see ForkMarks.command. The transport's end-of-speech mark is never refused:
  // declined, its silence still goes, and the reply's end plays now; the mark, once there is room.
  if (marks.command(name) === null) return null;
  if (!name.startsWith(PLAYOUT_END_MARK_PREFIX)) return [];
  // With background filling the slots, its next chunk (within a slot) carries the mark's command
  // and puts its marker where the mark stands, at the end of all that was sent
  // (`processIncomingBinary`, `lws_glue.cpp:80-101`), and the chunks after it complete the batch
  // (`:108-116`): the module answers the mark as it plays that place (`dub_speech_frame`,
  // `:994-1010`), the command held as any mark's is. Silence would be a gap in the background,
  // and put all after it (the next reply too) that much later than the timeline has it. If the
  // background leaves its next slot empty instead, the silence goes then (`backgroundFills`).
  // (jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp` at 30f21899; drachtio's has no marks.)
  if (marks.backgroundFills) {
    marks.endPlaced(name);
    return [];
  }
  const messages = marks.tail() ?? marks.release();
  marks.endPlaced(name);
  return messages;
}

/**
 * The messages of an `end`: `disconnect` (or what `end` makes of it: jambonz's REST hang-up
 * first, told how long was waited, which comes out of its own bound), after the silence that
 * flushes the module's pre-buffer, and only once the batch it completes has played. On jambonz
 * `disconnect` kills the `listen` task (`listen.js:313-316`, `_onDisconnect`: `forkAudioStop`
 * removes the fork), and a FreeSWITCH application hangs up on `mod_audio_fork::disconnect`
 * (`lws_glue.cpp:343-347`): sent in the same breath, the goodbye's last batch (the reply's end
 * and the silence that completes it: up to the first threshold, 1280 samples, when the goodbye is
 * the call's first reply, 160 ms at 8 kHz, and a tick) would be moved to the playout buffer just
 * as the fork goes, never heard, while the transport took it for played. With marks on, the
 * end-of-speech mark flushed the pre-buffer and was answered before `end` comes: nothing is held,
 * and `disconnect` goes at once. The wait is on the session's clock, at most half its
 * `sendTimeoutMs` (a promise from `serialize` may take no longer), and ends with the session: the
 * socket gone (a 1006 drop under the `end`, which the transport still hands over), nothing more
 * plays, so the goodbye is made then (jambonz's REST hang-up goes; a `disconnect`, which cannot
 * leave, is counted lost, as any message after the close); without a context (a serializer used by
 * hand) nothing can be sent ahead, and both go together. A `cancel` during the wait (or the
 * hang-up) said the goodbye already: the end's is too late (see {@linkcode tooLate}).
 */
export function flushThenEnd(
  marks: ForkMarks,
  rate: number,
  context: SerializerContext | undefined,
  end: (waitedMs: number) => SerializedMessage | Promise<SerializedMessage>,
):
  | SerializedMessage
  | SerializedMessage[]
  | Promise<SerializedMessage | SerializedMessage[] | null> {
  const goodbye = (waitedMs: number) => {
    marks.goodbye();
    return end(waitedMs);
  };
  const flush = marks.flush(rate);
  if (flush === null) {
    return unlessCancelled(marks, context, ahead(marks.release(), context, goodbye(0)));
  }
  if (context === undefined) return ahead(flush.tail, context, goodbye(0));
  for (const message of flush.tail) context.send(message);
  const clock = context.clock ?? systemClock;
  const waitMs = Math.min(flush.playMs, (context.sendTimeoutMs ?? Infinity) / 2);
  return marks.wait(clock, waitMs).then(() => {
    if (marks.cancelled) return tooLate(context);
    return unlessCancelled(marks, context, goodbye(waitMs));
  });
}

/**
 * `result`, the end's goodbye, unless a `cancel` came while it was on its way (a REST hang-up
 * under way): then {@linkcode tooLate}.
 */
function unlessCancelled<T>(
  marks: ForkMarks,
  context: SerializerContext | undefined,
  result: T | Promise<T>,
): T | Promise<T | null> {
  if (!(result instanceof Promise) || context === undefined) return result;
  return result.then((message) => marks.cancelled ? tooLate(context) : message);
}

/**
 * An `end` whose goodbye a `cancel` overtook: the `cancel`'s `disconnect` went, and jambonz closes
 * the socket only when it comes to it, so a second one would still leave. Dropped and counted in
 * `framesDroppedOnClose`, as the transport drops and counts any frame after a `cancel`.
 */
function tooLate(context: SerializerContext): null {
  context.count("framesDroppedOnClose");
  return null;
}

/**
 * `end`'s message after `messages`: those sent at once through `context` when there is one (a
 * REST hang-up may take a while), else returned with it.
 */
export function ahead(
  messages: SerializedMessage[],
  context: SerializerContext | undefined,
  end: SerializedMessage | Promise<SerializedMessage>,
): SerializedMessage | SerializedMessage[] | Promise<SerializedMessage | SerializedMessage[]> {
  if (messages.length === 0) return end;
  if (context !== undefined) {
    for (const message of messages) context.send(message);
    return end;
  }
  return end instanceof Promise
    ? end.then((message): SerializedMessage[] => [...messages, message])
    : [...messages, end];
}

/**
 * What one platform on `mod_audio_fork` does with the command a `message` frame carries: the
 * types something acts on, and what becomes of the rest. The module's part is the same on both
 * (see {@linkcode checkForkCommand}); what hears the events it raises is the platform's.
 */
export interface ForkCommands {
  /**
   * The types something acts on (`killAudio` and `mark` among them: `ForkMarks` refuses them as
   * messages, pointing to the frames that send them).
   */
  readonly acted: ReadonlySet<string>;
  /**
   * Why a message the module reads as type `json` (no "type" string) is refused, or `undefined`
   * where it goes.
   */
  readonly untyped: string | undefined;
  /** Why a message of `type`, which nothing acts on, is refused. */
  unknown(type: string): string;
}

/**
 * Throws the encode error for a `message` frame that the platform would drop unseen, or that the
 * module would read as another command than the serializer does. `parse_json` takes the type from
 * the first key that is "type" in any case (`cJSON_GetObjectCstr`, whose `cJSON_GetObjectItem`
 * ignores case, FreeSWITCH `src/switch_json.c`) when it holds a string, and makes any other JSON
 * (no such key, a type that is no string, a string, a number, null, an array) type `json`
 * (jambonz/freeswitch-modules `mod_audio_fork/parser.cpp:13-19` at 30f21899; drachtio's since
 * 93b0864, 2019): the module raises `mod_audio_fork::json` with it (`lws_glue.cpp:353-357`).
 * Another spelling of "type" ahead of it would have the module act on a command the serializer
 * did not count (a `killAudio` behind its back, a `json` event for its `clearMarks`).
 */
export function checkForkCommand(provider: string, message: unknown, commands: ForkCommands): void {
  const key = isObject(message) ? moduleKey(message, "type") : undefined;
  const value = key === undefined ? undefined : (message as JsonObject)[key];
  const moduleType = typeof value === "string" ? value : undefined;
  const ownType = isObject(message) && typeof message.type === "string" ? message.type : undefined;
  if (moduleType !== ownType) {
    throw new TransportError(
      "encode",
      `${provider}: mod_audio_fork reads ${JSON.stringify(key)} as the command's type (it ` +
        `matches keys regardless of case, the first one found): name the command in "type" alone`,
    );
  }
  if (moduleType === undefined) {
    if (commands.untyped === undefined) return;
    throw new TransportError(
      "encode",
      `${provider}: message ${describe(message)} names no command: ${commands.untyped}`,
    );
  }
  if (commands.acted.has(moduleType)) return;
  throw new TransportError(
    "encode",
    `${provider}: message type ${JSON.stringify(moduleType)} ${commands.unknown(moduleType)}`,
  );
}

/** The key of `object` the module reads as `name`: the first that is `name` in any case. */
export function moduleKey(object: JsonObject, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(object).find((k) => k.length === name.length && k.toLowerCase() === lower);
}
