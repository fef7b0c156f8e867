/**
 * The bot-to-platform half of FreeSWITCH's `mod_audio_fork` with bidirectional streaming, which
 * jambonz's `listen` verb runs on: binary L16 to play, and the JSON commands the jambonz `listen`
 * page documents ("Streaming bi-directional audio" → "Commands": `disconnect`, `killAudio`,
 * `mark`, `clearMarks`; "non-streaming": `playAudio`) and the module's README lists
 * (`transcription`, `transfer`, `error`, `json`: events for the application, no effect on the
 * call). Shared by the jambonz and FreeSWITCH far ends; written from those pages, apart from the
 * serializers under test.
 *
 * @module
 */

import type { FarEndContext } from "../far_end.ts";
import { samplesFromLittleEndian } from "./_json_events.ts";

/** How one platform names its rules and ends its calls. */
export interface AudioForkPlatform {
  /** The rule prefix (`"jambonz"`, `"freeswitch"`). */
  protocol: string;
  /** What `disconnect` does: jambonz closes the socket and ends the `listen`. */
  onDisconnect(): void;
}

/** Plays the bot's streamed audio and obeys its commands. */
export class AudioForkPlayback {
  readonly #context: FarEndContext;
  readonly #platform: AudioForkPlatform;
  /** Marks waiting for their audio to play; `clearMarks` empties it, silencing their events. */
  #marks = new Set<number>();
  #nextMark = 0;
  /** A `killAudio` is dropping the buffer: marks answered now were cleared, not played. */
  #killing = false;

  constructor(context: FarEndContext, platform: AudioForkPlatform) {
    this.#context = context;
    this.#platform = platform;
  }

  /** One message from the bot. */
  receive(data: string | Uint8Array): void {
    const context = this.#context;
    const rule = (name: string) => `${this.#platform.protocol}.${name}`;
    if (typeof data !== "string") {
      if (data.length % 2 !== 0) {
        context.violation(
          rule("odd-length"),
          `a ${data.length}-byte binary message is not whole 16-bit samples`,
        );
      }
      return context.play(samplesFromLittleEndian(data));
    }
    let message: { type?: unknown; data?: unknown } | null;
    try {
      message = JSON.parse(data);
    } catch {
      return context.violation(rule("bad-json"), `not JSON: ${data.slice(0, 60)}`);
    }
    switch (message?.type) {
      case "killAudio":
        // "Any audio that is playing out … as well as any buffered audio" is flushed; marks not
        // reached come back with event "cleared".
        this.#killing = true;
        try {
          context.clear();
        } finally {
          this.#killing = false;
        }
        return;
      case "mark": {
        const name = (message.data as { name?: unknown } | undefined)?.name;
        if (typeof name !== "string") {
          return context.violation(
            rule("bad-mark"),
            `mark without data.name: ${data.slice(0, 60)}`,
          );
        }
        const id = ++this.#nextMark;
        this.#marks.add(id);
        return context.mark(name, "ack", () => {
          if (!this.#marks.delete(id)) return; // removed by clearMarks: no event
          const event = this.#killing ? "cleared" : "playout";
          // Written as the module writes it (send_mark_event in lws_glue.cpp): the name goes in
          // unescaped, so a name with a quote or a backslash comes back broken, as it would.
          context.send(`{"type": "mark", "data": {"name":"${name}", "event": "${event}"}}`);
        });
      }
      case "clearMarks":
        this.#marks.clear();
        return;
      case "disconnect":
        return this.#platform.onDisconnect();
      case "playAudio":
        return context.violation(
          rule("play-audio-while-streaming"),
          "playAudio is the non-streaming mode; with bidirectional streaming send binary audio",
        );
      case "transcription":
      case "transfer":
      case "error":
      case "json":
        return context.note(`${this.#platform.protocol} ${message.type}`);
      default:
        return context.violation(
          rule("unknown-command"),
          `unknown command type ${JSON.stringify(message?.type)}`,
        );
    }
  }
}
