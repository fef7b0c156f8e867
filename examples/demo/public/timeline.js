// A scrolling timeline of the last 15 s on a canvas: when you spoke (the server's detector), when
// each response's audio left the server, when the server believes it was heard (speakingstart to
// speakingstop; ticks where marks came back), and when this page's player actually played it.
// Interruptions are red lines across. Times are the page's clock (performance.now()).

const WINDOW_MS = 15000;
const LANES = [
  ["caller", "You (detector)"],
  ["sent", "Sent (server)"],
  ["heard", "Heard (server)"],
  ["played", "Played (page)"],
];
const LABEL_WIDTH = 118;
const PALETTE = ["#2563eb", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#db2777"];
const CALLER_COLOUR = "#64748b";
/** Spans of one kind closer than this join up (report and chunk granularity). */
const JOIN_MS = 120;

function colourOf(id) {
  if (id === "caller") return CALLER_COLOUR;
  const n = Number(/(\d+)$/.exec(id ?? "")?.[1] ?? 0);
  return PALETTE[n % PALETTE.length];
}

export class Timeline {
  /** @param {HTMLCanvasElement} canvas */
  constructor(canvas) {
    this.canvas = canvas;
    this.reset();
  }

  reset() {
    /** @type {{ lane: string, from: number, to: number | null, id: string | null }[]} */
    this.spans = [];
    /** @type {{ lane: string, at: number }[]} */
    this.ticks = [];
    /** @type {number[]} */
    this.cuts = [];
  }

  /** Lane `lane` shows `id` from `from` to `to` (`null`: still going). */
  span(lane, from, to, id) {
    const last = this.spans.findLast((s) => s.lane === lane);
    if (last && last.id === id && last.to !== null && from - last.to < JOIN_MS) {
      last.to = to === null ? null : Math.max(last.to, to);
      return;
    }
    this.spans.push({ lane, from, to, id });
    this.#trim();
  }

  /** Ends lane `lane`'s open span at `at`. */
  end(lane, at) {
    const last = this.spans.findLast((s) => s.lane === lane);
    if (last && last.to === null) last.to = Math.max(last.from, at);
  }

  tick(lane, at) {
    this.ticks.push({ lane, at });
  }

  cut(at) {
    this.cuts.push(at);
  }

  #trim() {
    const horizon = performance.now() - 2 * WINDOW_MS;
    this.spans = this.spans.filter((s) => s.to === null || s.to > horizon);
    this.ticks = this.ticks.filter((t) => t.at > horizon);
    this.cuts = this.cuts.filter((at) => at > horizon);
  }

  draw(now = performance.now()) {
    const canvas = this.canvas;
    const ratio = globalThis.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (canvas.width !== Math.round(width * ratio)) canvas.width = Math.round(width * ratio);
    if (canvas.height !== Math.round(height * ratio)) canvas.height = Math.round(height * ratio);
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.clearRect(0, 0, width, height);
    const style = getComputedStyle(canvas);
    const text = style.getPropertyValue("--text").trim() || "#1c1f24";
    const muted = style.getPropertyValue("--muted").trim() || "#5b6472";
    const grid = style.getPropertyValue("--border").trim() || "#d9dde3";
    const plot = width - LABEL_WIDTH - 8;
    const axis = 18;
    const laneHeight = (height - axis) / LANES.length;
    const x = (t) => LABEL_WIDTH + plot * (1 - (now - t) / WINDOW_MS);
    g.font = "12px system-ui, sans-serif";
    g.textBaseline = "middle";
    // Seconds grid and axis labels.
    g.strokeStyle = grid;
    g.fillStyle = muted;
    g.lineWidth = 1;
    for (let s = 0; s <= WINDOW_MS / 1000; s++) {
      const px = Math.round(x(now - s * 1000)) + 0.5;
      g.beginPath();
      g.moveTo(px, 0);
      g.lineTo(px, height - axis);
      g.stroke();
      if (s % 5 === 0) {
        g.textAlign = "center";
        g.fillText(s === 0 ? "now" : `−${s} s`, Math.min(px, width - 16), height - axis / 2);
      }
    }
    LANES.forEach(([lane, label], i) => {
      const top = i * laneHeight;
      g.fillStyle = text;
      g.textAlign = "left";
      g.fillText(label, 4, top + laneHeight / 2);
      for (const span of this.spans) {
        if (span.lane !== lane) continue;
        const from = Math.max(x(span.from), LABEL_WIDTH);
        const to = Math.min(x(span.to ?? now), LABEL_WIDTH + plot);
        if (to <= LABEL_WIDTH || from >= to) continue;
        g.fillStyle = colourOf(span.id);
        g.fillRect(from, top + laneHeight * 0.2, Math.max(1, to - from), laneHeight * 0.6);
      }
      g.fillStyle = text;
      for (const tick of this.ticks) {
        if (tick.lane !== lane) continue;
        const px = x(tick.at);
        if (px < LABEL_WIDTH) continue;
        g.fillRect(px - 1, top + laneHeight * 0.1, 2, laneHeight * 0.8);
      }
    });
    g.strokeStyle = "#dc2626";
    g.lineWidth = 2;
    for (const at of this.cuts) {
      const px = x(at);
      if (px < LABEL_WIDTH) continue;
      g.beginPath();
      g.moveTo(px, 0);
      g.lineTo(px, height - axis);
      g.stroke();
    }
  }
}
