"""The oracle side of tests/bench/codec_vs_soxr.ts and tests/bench/resampler_quality.ts: soxr
(python-soxr, libsoxr 0.1.3) driven exactly as pipecat drives it, plus pipecat's Twilio
serializer audio path, timed in this process.

pipecat's code is reproduced, not imported (pipecat is not installable here); the parts copied in
behaviour, from pipecat-ai/pipecat `src/pipecat/`:

- `audio/resamplers/soxr_stream_resampler.py`: one `soxr.ResampleStream(in_rate, out_rate,
  num_channels=1, quality="VHQ", dtype="int16")` per direction; each chunk goes through
  `np.frombuffer(audio, dtype=np.int16)`, `resample_chunk`, `.astype(np.int16).tobytes()`, after
  a `time.time()` check that clears the stream after 0.2 s of silence.
- `audio/utils.py`: `pcm_to_ulaw` = resample, then `audioop.lin2ulaw(pcm, 2)`; `ulaw_to_pcm` =
  `audioop.ulaw2lin(ulaw, 2)`, then resample.
- `serializers/twilio.py`: `serialize(OutputAudioRawFrame)` = `pcm_to_ulaw` to 8 kHz, then
  `base64.b64encode(...).decode("utf-8")` and `json.dumps({"event": "media", "streamSid": ...,
  "media": {"payload": ...}})`; `deserialize` = `json.loads`, `base64.b64decode`, `ulaw_to_pcm`,
  `InputAudioRawFrame(...)`. Both are `async def`; they are driven here by `coroutine.send(None)`,
  the cheapest way to run a coroutine that never suspends (what an event loop adds is left out).

Protocol: one JSON object per line on stdin, one JSON answer per line on stdout.
- `{"op": "hello"}` → versions.
- `{"op": "speed", "case": "resample" | "twilio-out" | "twilio-in", "inRate", "outRate",
  "chunkMs", "seconds"}` → `{"cpuUs", "wallUs"}`: CPU (process_time) and wall time per second of
  audio, over `seconds` seconds of a 1 kHz tone at 12000 peak (the same signal the TypeScript side
  uses), after a warm-up.
- `{"op": "resample", "inRate", "outRate", "chunkMs", "input", "output"}`: streams the PCM16 file
  `input` through a fresh pipecat-style resampler in chunks, then `resample_chunk(..., last=True)`,
  and writes `output`.
- `{"op": "latency", "inRate", "outRate", "chunkMs"}` → `{"meanMs", "maxMs"}`: how much audio the
  stream holds back after each chunk in steady state (chunks 11–100).

Run by the TypeScript scripts; by hand: `python3 tests/bench/codec_soxr_oracle.py`.
"""

import asyncio
import base64
import json
import sys
import time
import warnings

import numpy as np
import soxr

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop  # pipecat's G.711 codec (deprecated in 3.11, removed in 3.13)

CLEAR_STREAM_AFTER_SECS = 0.2


class SOXRStreamAudioResampler:
    """pipecat's stream resampler (soxr_stream_resampler.py), behaviour for behaviour."""

    def __init__(self):
        self._in_rate = None
        self._out_rate = None
        self._last_resample_time = 0
        self._soxr_stream = None

    def _initialize(self, in_rate, out_rate):
        self._in_rate = in_rate
        self._out_rate = out_rate
        self._last_resample_time = time.time()
        self._soxr_stream = soxr.ResampleStream(
            in_rate=in_rate, out_rate=out_rate, num_channels=1, quality="VHQ", dtype="int16"
        )

    def _maybe_clear_internal_state(self):
        current_time = time.time()
        if current_time - self._last_resample_time > CLEAR_STREAM_AFTER_SECS:
            if self._soxr_stream:
                self._soxr_stream.clear()
        self._last_resample_time = current_time

    def _maybe_initialize_sox_stream(self, in_rate, out_rate):
        if self._soxr_stream is None:
            self._initialize(in_rate, out_rate)
        else:
            self._maybe_clear_internal_state()

    async def resample(self, audio, in_rate, out_rate):
        if in_rate == out_rate:
            return audio
        self._maybe_initialize_sox_stream(in_rate, out_rate)
        audio_data = np.frombuffer(audio, dtype=np.int16)
        resampled_audio = self._soxr_stream.resample_chunk(audio_data)
        return resampled_audio.astype(np.int16).tobytes()


async def pcm_to_ulaw(pcm_bytes, in_rate, out_rate, resampler):
    in_pcm_bytes = await resampler.resample(pcm_bytes, in_rate, out_rate)
    return audioop.lin2ulaw(in_pcm_bytes, 2)


async def ulaw_to_pcm(ulaw_bytes, in_rate, out_rate, resampler):
    in_pcm_bytes = audioop.ulaw2lin(ulaw_bytes, 2)
    return await resampler.resample(in_pcm_bytes, in_rate, out_rate)


class OutputAudioRawFrame:
    def __init__(self, audio, sample_rate, num_channels):
        self.audio = audio
        self.sample_rate = sample_rate
        self.num_channels = num_channels


class InputAudioRawFrame(OutputAudioRawFrame):
    pass


class TwilioFrameSerializer:
    """The audio paths of pipecat's TwilioFrameSerializer."""

    def __init__(self, stream_sid, sample_rate):
        self._stream_sid = stream_sid
        self._twilio_sample_rate = 8000
        self._sample_rate = sample_rate
        self._input_resampler = SOXRStreamAudioResampler()
        self._output_resampler = SOXRStreamAudioResampler()

    async def serialize(self, frame):
        serialized_data = await pcm_to_ulaw(
            frame.audio, frame.sample_rate, self._twilio_sample_rate, self._output_resampler
        )
        if serialized_data is None or len(serialized_data) == 0:
            return None
        payload = base64.b64encode(serialized_data).decode("utf-8")
        answer = {"event": "media", "streamSid": self._stream_sid, "media": {"payload": payload}}
        return json.dumps(answer)

    async def deserialize(self, data):
        message = json.loads(data)
        if message["event"] == "media":
            payload = base64.b64decode(message["media"]["payload"])
            deserialized_data = await ulaw_to_pcm(
                payload, self._twilio_sample_rate, self._sample_rate, self._input_resampler
            )
            if deserialized_data is None or len(deserialized_data) == 0:
                return None
            return InputAudioRawFrame(deserialized_data, self._sample_rate, 1)
        return None


def run(coroutine):
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value
    raise RuntimeError("the coroutine suspended")


def tone(rate):
    t = np.arange(rate)
    return np.round(12000 * np.sin(2 * np.pi * 1000 * t / rate)).astype(np.int16)


def speed(case, in_rate, out_rate, chunk_ms, seconds):
    n = in_rate * chunk_ms // 1000
    second = tone(in_rate)
    if case == "resample":
        resampler = SOXRStreamAudioResampler()
        chunks = [second[i : i + n].tobytes() for i in range(0, in_rate, n)]

        def once():
            for chunk in chunks:
                run(resampler.resample(chunk, in_rate, out_rate))

    elif case == "twilio-out":
        serializer = TwilioFrameSerializer("MZ18ad3ab5a668481ce02b83e7395059f0", 16000)
        frames = [
            OutputAudioRawFrame(second[i : i + n].tobytes(), in_rate, 1)
            for i in range(0, in_rate, n)
        ]

        def once():
            for frame in frames:
                run(serializer.serialize(frame))

    elif case == "twilio-in":
        # Twilio → the pipeline: μ-law at 8 kHz in, PCM at out_rate out.
        serializer = TwilioFrameSerializer("MZ18ad3ab5a668481ce02b83e7395059f0", out_rate)
        ulaw = audioop.lin2ulaw(tone(8000).tobytes(), 2)
        m = 8000 * chunk_ms // 1000
        messages = [
            json.dumps(
                {
                    "event": "media",
                    "sequenceNumber": "3",
                    "media": {
                        "track": "inbound",
                        "chunk": "1",
                        "timestamp": "5",
                        "payload": base64.b64encode(ulaw[i : i + m]).decode(),
                    },
                    "streamSid": "MZ18ad3ab5a668481ce02b83e7395059f0",
                }
            )
            for i in range(0, 8000, m)
        ]

        def once():
            for message in messages:
                run(serializer.deserialize(message))

    else:
        raise ValueError(case)
    for _ in range(5):
        once()
    rounds = max(1, int(seconds))
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        once()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"cpuUs": cpu / rounds * 1e6, "wallUs": wall / rounds * 1e6}


def resample_file(in_rate, out_rate, chunk_ms, input_path, output_path):
    x = np.fromfile(input_path, dtype="<i2")
    stream = soxr.ResampleStream(in_rate, out_rate, 1, dtype="int16", quality="VHQ")
    n = in_rate * chunk_ms // 1000
    parts = [stream.resample_chunk(x[i : i + n]) for i in range(0, len(x), n)]
    parts.append(stream.resample_chunk(np.zeros(0, dtype=np.int16), last=True))
    np.concatenate(parts).astype("<i2").tofile(output_path)
    return {}


def latency(in_rate, out_rate, chunk_ms):
    n = in_rate * chunk_ms // 1000
    stream = soxr.ResampleStream(in_rate, out_rate, 1, dtype="int16", quality="VHQ")
    fed = out = 0
    held = []
    for k in range(100):
        out += len(stream.resample_chunk(tone(in_rate)[:n]))
        fed += n
        if k >= 10:
            held.append((fed * out_rate / in_rate - out) / out_rate * 1000)
    return {"meanMs": float(np.mean(held)), "maxMs": float(np.max(held))}


def main():
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        if op == "hello":
            answer = {"soxr": soxr.__version__, "numpy": np.__version__, "python": sys.version.split()[0]}
        elif op == "speed":
            answer = speed(
                request["case"], request["inRate"], request["outRate"], request["chunkMs"], request["seconds"]
            )
        elif op == "resample":
            answer = resample_file(
                request["inRate"], request["outRate"], request["chunkMs"], request["input"], request["output"]
            )
        elif op == "latency":
            answer = latency(request["inRate"], request["outRate"], request["chunkMs"])
        else:
            answer = {"error": f"unknown op {op}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
