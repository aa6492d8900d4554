/** Test audio: sine tones and simple measures of decoded samples. */

/** The two channels of a stereo 16-bit WAV with a 44-byte header (what StereoRecorder writes). */
export function stereoChannels(buf: Buffer): { left: Int16Array; right: Int16Array } {
  const frames = (buf.length - 44) / 4;
  const left = new Int16Array(frames);
  const right = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    left[i] = buf.readInt16LE(44 + i * 4);
    right[i] = buf.readInt16LE(46 + i * 4);
  }
  return { left, right };
}

export function tone(freq: number, samples: number, amplitude = 8000, rate = 8000): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

export function rms(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  return Math.sqrt(sum / samples.length);
}

/** Frequency estimate from sign changes (two per period); counts only samples above a small threshold. */
export function zeroCrossingHz(samples: ArrayLike<number>, rate = 8000): number {
  let crossings = 0;
  let last = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    if (Math.abs(s) < 50) continue;
    const sign = Math.sign(s);
    if (last !== 0 && sign !== last) crossings++;
    last = sign;
  }
  return (crossings / 2) * (rate / Math.max(1, samples.length));
}

/** The 20 ms frames of `samples` whose RMS is above `threshold`, concatenated (drops gaps from loss or load). */
export function voiced(samples: Int16Array, threshold = 1000): Int16Array {
  const frames: Int16Array[] = [];
  for (let i = 0; i + 160 <= samples.length; i += 160) {
    const frame = samples.subarray(i, i + 160);
    if (rms(frame) > threshold) frames.push(frame);
  }
  const out = new Int16Array(frames.length * 160);
  frames.forEach((f, i) => {
    out.set(f, i * 160);
  });
  return out;
}
