// Microphone capture: the context's rate down to `processorOptions.rate` (16 kHz by default; the
// phone line asks for 8 kHz) mono PCM16, posted as 20 ms frames (320 samples at 16 kHz) together
// with their RMS level. Runs on the audio thread.

const TAPS = 31;

/** A windowed-sinc low-pass at `cutoffHz`, so downsampling does not fold highs into the voice. */
function lowPass(cutoffHz, rate) {
  const fc = cutoffHz / rate;
  const taps = new Float32Array(TAPS);
  const mid = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const n = i - mid;
    const sinc = n === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * n) / (Math.PI * n);
    const blackman = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (TAPS - 1)) +
      0.08 * Math.cos((4 * Math.PI * i) / (TAPS - 1));
    taps[i] = sinc * blackman;
    sum += taps[i];
  }
  for (let i = 0; i < TAPS; i++) taps[i] /= sum;
  return taps;
}

class MicProcessor extends AudioWorkletProcessor {
  constructor(options) {
    super();
    const rate = options.processorOptions?.rate ?? 16000;
    this.frameSamples = Math.round(rate / 50); // 20 ms
    this.ratio = sampleRate / rate; // input samples per output sample
    this.taps = this.ratio > 1 ? lowPass(0.45 * rate, sampleRate) : null;
    this.history = new Float32Array(TAPS); // circular, newest at this.head
    this.head = 0;
    this.prev = 0; // last filtered input sample
    this.t = 1; // position of the next output sample, in input samples after `prev`
    this.frame = new Int16Array(this.frameSamples);
    this.filled = 0;
    this.sumSquares = 0;
  }

  filter(x) {
    if (!this.taps) return x;
    this.head = (this.head + 1) % TAPS;
    this.history[this.head] = x;
    let y = 0;
    for (let i = 0, j = this.head; i < TAPS; i++) {
      y += this.taps[i] * this.history[j];
      j = j === 0 ? TAPS - 1 : j - 1;
    }
    return y;
  }

  emit(sample) {
    const s = Math.max(-1, Math.min(1, sample));
    this.frame[this.filled++] = s < 0 ? s * 0x8000 : s * 0x7fff;
    this.sumSquares += s * s;
    if (this.filled === this.frameSamples) {
      const rms = Math.sqrt(this.sumSquares / this.frameSamples);
      const buffer = this.frame.buffer;
      this.port.postMessage({ pcm: buffer, rms }, [buffer]); // transferred: no copy
      this.frame = new Int16Array(this.frameSamples);
      this.filled = 0;
      this.sumSquares = 0;
    }
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (!channel) return true; // no input connected yet
    for (let i = 0; i < channel.length; i++) {
      const cur = this.filter(channel[i]);
      // Linear interpolation between consecutive filtered samples at fractional positions.
      while (this.t <= 1) {
        this.emit(this.prev + (cur - this.prev) * this.t);
        this.t += this.ratio;
      }
      this.t -= 1;
      this.prev = cur;
    }
    return true;
  }
}

registerProcessor("mic-processor", MicProcessor);
