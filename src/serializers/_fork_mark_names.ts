/**
 * {@linkcode ForkMarkNames}: the names `mod_audio_fork`'s marks travel under, and which answers
 * are still awaited. Internal to the serializers.
 *
 * Separate from the marks' slots and buffers (`ForkMarks`, `ForkBuffers`) because it answers one
 * question of its own, whose mark an answer is: the module echoes a name unescaped, and a
 * `clearMarks` leaves answers crossing it on the wire, so a name the bot gave may travel under an
 * id, and an answer under a name no longer awaited is to a mark given up.
 *
 * @module
 */

/**
 * A name the module can echo back intact: it writes the name into its JSON answer unescaped
 * (`send_mark_event` in jambonz/freeswitch-modules `mod_audio_fork/lws_glue.cpp`), so a quote, a
 * backslash or a control character would come back as broken JSON or another name.
 */
// deno-lint-ignore no-control-regex -- control characters are exactly what it looks for
const ECHO_SAFE_NAME = /^[^"\\\u0000-\u001f]*$/;
/** The ids unsafe names travel under: a name of the bot's of this form would be taken for one. */
const RENAMED_ID = /^#m\d+$/;

/**
 * Whether `name` travels as it is: echo-safe ({@linkcode ECHO_SAFE_NAME}), whole UTF-16 (the
 * module's cJSON, FreeSWITCH `switch_json.c` `parse_string`, skips a lone surrogate's `\u` escape,
 * so the name would come back without it) and not of the form of an id of ours (its answer would
 * be taken for the renamed mark's, and the two answered swapped).
 */
function travelsAsIs(name: string): boolean {
  return ECHO_SAFE_NAME.test(name) && name.isWellFormed() && !RENAMED_ID.test(name);
}

/** The names marks travel under since the last `clearMarks`, and the answers awaited for them. */
export class ForkMarkNames {
  /** Names that are not echo-safe, by the id sent in their place. */
  readonly #renamed = new Map<string, string>();
  #nextId = 0;
  /**
   * The names marks were sent under since the last `clearMarks`, each with how many of them are
   * not yet answered: an answer under any other name is to a mark that clear gave up (see
   * {@linkcode answered}).
   */
  readonly #awaited = new Map<string, number>();
  /**
   * A `clearMarks` gave up marks and no mark sent since has been answered: an answer to one of
   * those may still come (see {@linkcode answered}), under a name the bot may give a mark again.
   * Until then every mark travels under an id, so such an answer is never taken for the new
   * mark's. The module answers on one socket, in order, and only after it read the clear does it
   * hold a later mark: once one is answered, whatever it answered before the clear has come.
   */
  #crossing = false;

  /** The name mark `name` travels under (itself, or an id), its answer now awaited. */
  travel(name: string): string {
    let sent = name;
    if (this.#crossing || !travelsAsIs(name)) {
      sent = `#m${++this.#nextId}`;
      this.#renamed.set(sent, name);
    }
    this.#awaited.set(sent, (this.#awaited.get(sent) ?? 0) + 1);
    return sent;
  }

  /**
   * The module answered under `sent`: the mark's own name, no longer awaited, or `undefined`
   * where no mark sent since the last `clearMarks` travels under it, or not as many times (the
   * module answered that mark before it read the command: see `ForkMarks.read`).
   */
  answered(sent: string): string | undefined {
    const awaited = this.#awaited.get(sent);
    if (awaited === undefined) return undefined;
    this.#crossing = false; // a mark sent since the clear: nothing from before it follows
    if (awaited > 1) this.#awaited.set(sent, awaited - 1);
    else this.#awaited.delete(sent);
    const name = this.#renamed.get(sent) ?? sent;
    this.#renamed.delete(sent);
    return name;
  }

  /**
   * A `clearMarks` is leaving: no name is awaited any more. `crossing`: marks had been sent and
   * not answered, so an answer may cross it (see {@linkcode #crossing}).
   */
  cleared(crossing: boolean): void {
    if (crossing) this.#crossing = true;
    this.#renamed.clear();
    this.#awaited.clear();
  }
}
