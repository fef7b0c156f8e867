// Playback: a ring buffer of 16 kHz PCM16 that the audio thread drains at the context's rate.
// It waits until `targetMs` of audio is queued before it starts (the jitter buffer), goes back to
// waiting after an underrun, and drops the oldest audio when the queue grows past `maxMs`, so the
// delay stays bounded. The main thread posts `{ pcm: ArrayBuffer }` and `{ clear: true }`; this
// posts back `{ rms, bufferedMs, underruns, dropped }` every 50 ms.

const IN_RATE = 16000;

class PlayerProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const { targetMs = 60, maxMs = 400 } = options.processorOptions ?? {};
    this.target = Math.round((IN_RATE * targetMs) / 1000);
    this.max = Math.round((IN_RATE * maxMs) / 1000);
    this.ring = new Float32Array(IN_RATE * 2); // 2 s, far above `max`
    this.read = 0; // integer part of the read position
    this.frac = 0; // fractional part, for resampling
    this.write = 0;
    this.size = 0; // samples queued
    this.playing = false;
    this.step = IN_RATE / sampleRate; // input samples per output sample
    this.underruns = 0;
    this.dropped = 0;
    this.sumSquares = 0;
    this.count = 0;
    this.reportEvery = Math.round(sampleRate / 20);
    this.port.onmessage = (event) => this.receive(event.data);
  }

  receive(data) {
    if (data.clear) {
      this.read = this.write = this.size = 0;
      this.frac = 0;
      this.playing = false;
      return;
    }
    const pcm = new Int16Array(data.pcm);
    const ring = this.ring;
    for (let i = 0; i < pcm.length; i++) {
      ring[this.write] = pcm[i] / 0x8000;
      this.write = (this.write + 1) % ring.length;
    }
    this.size += pcm.length;
    if (this.size > this.max) {
      // Too far behind real time: skip ahead to the target instead of playing ever later.
      const skip = this.size - this.target;
      this.read = (this.read + skip) % ring.length;
      this.size -= skip;
      this.dropped += skip;
    }
  }

  process(_inputs, outputs) {
    const out = outputs[0][0];
    const ring = this.ring;
    if (!this.playing && this.size >= this.target) this.playing = true;
    for (let i = 0; i < out.length; i++) {
      let sample = 0;
      if (this.playing) {
        if (this.size < 2) {
          this.playing = false;
          this.underruns++;
        } else {
          const a = ring[this.read];
          const b = ring[(this.read + 1) % ring.length];
          sample = a + (b - a) * this.frac;
          this.frac += this.step;
          while (this.frac >= 1) {
            this.frac -= 1;
            this.read = (this.read + 1) % ring.length;
            this.size--;
          }
        }
      }
      out[i] = sample;
      this.sumSquares += sample * sample;
    }
    for (let c = 1; c < outputs[0].length; c++) outputs[0][c].set(out);
    this.count += out.length;
    if (this.count >= this.reportEvery) {
      this.port.postMessage({
        rms: Math.sqrt(this.sumSquares / this.count),
        bufferedMs: (this.size * 1000) / IN_RATE,
        underruns: this.underruns,
        dropped: this.dropped,
      });
      this.sumSquares = 0;
      this.count = 0;
    }
    return true;
  }
}

registerProcessor("player-processor", PlayerProcessor);
