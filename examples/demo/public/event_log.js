// The event log: newest first, bounded, and an entry with a key is updated in place (marks
// acknowledged, stale audio dropped: one line each that counts up, not a line per message).

export class EventLog {
  /** @param {HTMLOListElement} list */
  constructor(list, max = 200) {
    this.list = list;
    this.max = max;
    /** @type {{ at: number | null, text: string, kind: string, key: string | undefined, item: HTMLLIElement }[]} */
    this.entries = [];
  }

  clear() {
    this.entries = [];
    this.list.replaceChildren();
  }

  /**
   * Adds `text` (or updates the entry with the same `key`); `at` is seconds since the session
   * began, `kind` a class for its colour.
   * @param {string} text
   * @param {{ at?: number | null, kind?: string, key?: string }} options
   */
  add(text, { at = null, kind = "", key } = {}) {
    const known = key === undefined ? undefined : this.entries.find((e) => e.key === key);
    if (known) {
      known.text = text;
      known.item.lastElementChild.textContent = text;
      return;
    }
    const item = document.createElement("li");
    item.className = kind;
    const time = document.createElement("time");
    time.textContent = at === null ? "" : `${at.toFixed(2)} s`;
    const body = document.createElement("span");
    body.textContent = text;
    item.append(time, body);
    this.list.prepend(item);
    this.entries.push({ at, text, kind, key, item });
    if (this.entries.length > this.max) this.entries.shift().item.remove();
  }

  /** The entries, oldest first, as plain data (for tests). */
  texts() {
    return this.entries.map(({ at, text, kind }) => ({ at, text, kind }));
  }
}
