// Playback on the audio thread, and the truth about it: what was played, when, and what a clear
// dropped. Audio is PCM16 at `processorOptions.rate` (16 kHz, or 8 kHz on the phone line), in a
// ring the audio thread drains at the context's rate.
//
// Every sample has a position: how many samples came before it since the player started. The
// server counts its outbound audio the same way (milliseconds of audio sent), so the page can
// tell which response a played sample belongs to.
//
// Jitter buffer: after a silence it waits until `targetMs` is queued, or until the first sample
// has waited `targetMs` (so a short tail still plays), then plays back to back until it runs dry.
// Past `maxMs` queued it skips ahead to `targetMs` (counted as dropped).
//
// In:  { pcm: ArrayBuffer }         audio, appended
//      { mark: name }               played back once the audio before it has played (Twilio's
//                                   rule); at once when nothing is queued
//      { clear: true }              drop everything queued now; pending marks come back at once
// Out: { marksPlayed: [names] }     those marks' audio has played
//      { cleared: { epoch, samples, marks } }   a clear: samples dropped, marks returned
//      { report } every 50 ms:       levels, buffer, counters, `runs`: the positions played, as
//                                   [from, to, epoch] (epoch: clears before them), and `stalls`:
//                                   underruns as [position, ms, epoch], the player silent for
//                                   `ms` at `position` (ran dry, then waited to re-buffer), which
//                                   puts everything after it that much later than a sender's
//                                   estimate of continuous playout

class PlayerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { rate = 16000, targetMs = 60, maxMs = 400 } = options.processorOptions ?? {};
    this.rate = rate;
    this.target = Math.round((rate * targetMs) / 1000);
    this.targetFrames = Math.round((sampleRate * targetMs) / 1000);
    this.max = Math.round((rate * maxMs) / 1000);
    this.ring = new Float32Array(this.max + rate); // a second beyond `max`
    this.written = 0; // position of the next sample to arrive
    this.readPos = 0; // position of the next sample to play
    this.frac = 0; // between readPos and readPos + 1, for resampling
    this.step = rate / sampleRate; // input samples per output sample
    this.playing = false;
    this.waitingSince = -1; // the frame the queued audio began waiting at
    this.dryAt = -1; // the frame the buffer last ran dry at
    this.stall = null; // an underrun not yet over: { position, since, epoch }
    this.stalls = []; // underruns over since the last report: [position, ms, epoch]
    this.marks = []; // { name, position }, in order
    this.epoch = 0; // clears so far
    this.run = null; // the positions being played: { from, to, epoch }
    this.closedRuns = [];
    this.underruns = 0;
    this.dropped = 0;
    this.cleared = 0;
    this.sumSquares = 0;
    this.count = 0;
    this.reportEvery = Math.round(sampleRate / 20);
    this.port.onmessage = (event) => this.receive(event.data);
  }

  receive(data) {
    if (data.clear) return this.clear();
    if (data.mark !== undefined) {
      if (this.readPos >= this.written) this.port.postMessage({ marksPlayed: [data.mark] });
      else this.marks.push({ name: data.mark, position: this.written });
      return;
    }
    const pcm = new Int16Array(data.pcm);
    const ring = this.ring;
    for (let i = 0; i < pcm.length; i++) ring[(this.written + i) % ring.length] = pcm[i] / 0x8000;
    this.written += pcm.length;
    if (this.dryAt >= 0) {
      // More audio soon after running dry: a gap in a stream, not the end of one. The player stays
      // silent until it has re-buffered; the stall is measured when it plays again.
      if (currentFrame - this.dryAt < sampleRate / 4) {
        this.underruns++;
        this.stall = { position: this.readPos, since: this.dryAt, epoch: this.epoch };
      }
      this.dryAt = -1;
    }
    if (!this.playing && this.waitingSince < 0) this.waitingSince = currentFrame;
    if (this.written - this.readPos > this.max) {
      // Too far behind real time: skip ahead to the target instead of playing ever later.
      const skip = this.written - this.readPos - this.target;
      this.readPos += skip;
      this.frac = 0;
      this.dropped += skip;
      this.closeRun();
      this.passMarks();
    }
  }

  clear() {
    const samples = this.written - this.readPos;
    this.cleared += samples;
    this.readPos = this.written;
    this.frac = 0;
    this.playing = false;
    this.waitingSince = -1;
    this.dryAt = -1;
    this.stall = null;
    this.closeRun();
    this.epoch++;
    const marks = this.marks.map((mark) => mark.name);
    this.marks = [];
    this.port.postMessage({ cleared: { epoch: this.epoch, samples, marks } });
  }

  closeRun() {
    if (this.run) this.closedRuns.push(this.run);
    this.run = null;
  }

  /** Positions `from` to `to` were played. */
  played(from, to) {
    const run = this.run;
    if (run && run.to === from && run.epoch === this.epoch) {
      run.to = to;
      return;
    }
    this.closeRun();
    this.run = { from, to, epoch: this.epoch };
  }

  /** Marks whose audio has all played (or was skipped) go back. */
  passMarks() {
    let n = 0;
    while (n < this.marks.length && this.marks[n].position <= this.readPos) n++;
    if (n === 0) return;
    const names = this.marks.splice(0, n).map((mark) => mark.name);
    this.port.postMessage({ marksPlayed: names });
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    const ring = this.ring;
    const queued = this.written - this.readPos;
    if (
      !this.playing && queued > 0 &&
      (queued >= this.target || currentFrame - this.waitingSince >= this.targetFrames)
    ) {
      this.playing = true;
      const stall = this.stall;
      if (stall) {
        const ms = ((currentFrame - stall.since) * 1000) / sampleRate;
        this.stalls.push([stall.position, ms, stall.epoch]);
        this.stall = null;
      }
    }
    const start = this.readPos;
    for (let i = 0; i < out.length; i++) {
      let sample = 0;
      if (this.playing) {
        if (this.readPos >= this.written) {
          this.playing = false;
          this.waitingSince = -1;
          this.dryAt = currentFrame + i;
        } else {
          const a = ring[this.readPos % ring.length];
          const b = this.readPos + 1 < this.written ? ring[(this.readPos + 1) % ring.length] : a;
          sample = a + (b - a) * this.frac;
          this.frac += this.step;
          while (this.frac >= 1 && this.readPos < this.written) {
            this.frac -= 1;
            this.readPos++;
          }
        }
      }
      out[i] = sample;
      this.sumSquares += sample * sample;
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    if (this.readPos > start) this.played(start, this.readPos);
    this.passMarks();
    this.count += out.length;
    if (this.count >= this.reportEvery) this.report();
    return true;
  }

  report() {
    const runs = this.run ? [...this.closedRuns, this.run] : this.closedRuns;
    this.port.postMessage({
      report: {
        rms: Math.sqrt(this.sumSquares / this.count),
        bufferedMs: ((this.written - this.readPos) * 1000) / this.rate,
        underruns: this.underruns,
        dropped: this.dropped,
        cleared: this.cleared,
        received: this.written,
        played: this.readPos,
        runs: runs.map((run) => [run.from, run.to, run.epoch]),
        stalls: this.stalls,
      },
    });
    this.closedRuns = [];
    this.stalls = [];
    this.sumSquares = 0;
    this.count = 0;
  }
}

registerProcessor("player-processor", PlayerProcessor);
