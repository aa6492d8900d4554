import { readdir } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { Logger } from '../logging/logger.js';
import { ALAW_TO_ULAW, ULAW_TO_ALAW, encodeAlaw, encodeUlaw, mapBytes } from './g711.js';
import { MediaError } from './media-error.js';
import { readWav, type WavAudio } from './wav-reader.js';

/** A prompt ready to send: the same audio as PCMU and PCMA payload bytes (one byte per 8 kHz sample). */
export interface Prompt {
  readonly name: string;
  readonly pcmu: Buffer;
  readonly pcma: Buffer;
  readonly durationMs: number;
}

/** Converts decoded WAV audio to both G.711 payloads, once. */
export function promptFromWav(name: string, wav: WavAudio): Prompt {
  let pcmu: Buffer;
  let pcma: Buffer;
  if (wav.encoding === 'ulaw') {
    pcmu = Buffer.from(wav.data);
    pcma = mapBytes(wav.data, ULAW_TO_ALAW);
  } else if (wav.encoding === 'alaw') {
    pcma = Buffer.from(wav.data);
    pcmu = mapBytes(wav.data, ALAW_TO_ULAW);
  } else {
    const samples = new Int16Array(wav.data.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = wav.data.readInt16LE(i * 2);
    pcmu = encodeUlaw(samples);
    pcma = encodeAlaw(samples);
  }
  return { name, pcmu, pcma, durationMs: (pcmu.length / 8000) * 1000 };
}

/**
 * Every `*.wav` under the prompts directory (subfolders included), by file name without `.wav`
 * (`digit-5.wav` → `digit-5`; names are flat, so two files with one name in different folders are refused).
 * Loaded once at start; playing never transcodes.
 */
export class PromptLibrary {
  private readonly prompts = new Map<string, Prompt>();

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Loads (or reloads) every prompt; a bad file fails the load with its path and the reason. */
  async load(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.dir, { recursive: true });
    } catch (err) {
      throw new MediaError('PROMPT_INVALID', `prompts directory ${this.dir}: cannot read`, { cause: err });
    }
    const loaded = new Map<string, Prompt>();
    for (const entry of entries.filter((e) => e.toLowerCase().endsWith('.wav')).sort()) {
      const path = join(this.dir, entry);
      const name = basename(entry).slice(0, -'.wav'.length);
      if (loaded.has(name)) {
        throw new MediaError('PROMPT_INVALID', `${path}: a prompt named "${name}" already exists (names are flat)`);
      }
      loaded.set(name, promptFromWav(name, await readWav(path)));
    }
    this.prompts.clear();
    for (const [name, prompt] of loaded) this.prompts.set(name, prompt);
    this.logger.info('prompts loaded', { dir: relative(process.cwd(), this.dir) || '.', count: loaded.size });
  }

  /** Adds a prompt from memory (tests, generated audio). */
  add(prompt: Prompt): void {
    this.prompts.set(prompt.name, prompt);
  }

  /** Removes a prompt added with add() (a playback that already started keeps its audio). */
  remove(name: string): boolean {
    return this.prompts.delete(name);
  }

  has(name: string): boolean {
    return this.prompts.has(name);
  }

  get(name: string): Prompt | undefined {
    return this.prompts.get(name);
  }

  get names(): string[] {
    return [...this.prompts.keys()].sort();
  }
}
