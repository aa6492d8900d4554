import { spawn } from 'node:child_process';
import { MediaError } from '../media-error.js';

/** Turns text into 8 kHz μ-law audio (one byte per sample, the media engine's PCMU payload). */
export interface Synthesizer {
  synthesize(text: string, signal: AbortSignal): Promise<Buffer>;
}

export interface EspeakOptions {
  /** espeak-ng voice: the one scripts/make-prompts.sh uses (plain `cmn` reads tone numbers in English). */
  readonly voice?: string;
  /** Words per minute, as scripts/make-prompts.sh (150). */
  readonly speed?: number;
  readonly espeakPath?: string;
  readonly soxPath?: string;
  /** Largest output accepted (bytes of μ-law: 8000 per second); default 60 s of audio. */
  readonly maxBytes?: number;
}

/**
 * espeak-ng piped into sox, the chain of scripts/make-prompts.sh: espeak-ng's WAV on stdout →
 * sox trims the leading/trailing silence, resamples to 8 kHz mono, normalises to -3 dBFS and writes
 * raw μ-law to stdout. Runs in child processes (never on the event loop); the abort signal kills
 * both. The text goes as an argument after `--` (no shell, so nothing in it is interpreted).
 */
export class EspeakSynthesizer implements Synthesizer {
  private readonly voice: string;
  private readonly speed: number;
  private readonly espeakPath: string;
  private readonly soxPath: string;
  private readonly maxBytes: number;

  constructor(options: EspeakOptions = {}) {
    this.voice = options.voice ?? 'cmn-latn-pinyin';
    this.speed = options.speed ?? 150;
    this.espeakPath = options.espeakPath ?? 'espeak-ng';
    this.soxPath = options.soxPath ?? 'sox';
    this.maxBytes = options.maxBytes ?? 60 * 8000;
  }

  /** What the audio depends on besides the text (the disk cache's key includes it): a new voice or speed is a new cache. */
  get voiceKey(): string {
    return `espeak-ng/${this.voice}/${this.speed}/sox-ulaw-8k`;
  }

  synthesize(text: string, signal: AbortSignal): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      if (signal.aborted) {
        reject(new MediaError('SPEECH_FAILED', 'speech synthesis aborted before it started'));
        return;
      }
      const espeak = spawn(this.espeakPath, ['-v', this.voice, '-s', String(this.speed), '--stdout', '--', text], { stdio: ['ignore', 'pipe', 'pipe'] });
      const sox = spawn(
        this.soxPath,
        ['-q', '-t', 'wav', '-', '-t', 'ul', '-r', '8000', '-c', '1', '-', 'silence', '1', '0.02', '0.5%', 'reverse', 'silence', '1', '0.02', '0.5%', 'reverse', 'pad', '0.05', '0.1', 'gain', '-n', '-3'],
        { stdio: ['pipe', 'pipe', 'pipe'] },
      );
      const chunks: Buffer[] = [];
      let bytes = 0;
      let errText = '';
      let settled = false;
      const finish = (err: Error | undefined): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (err !== undefined) {
          espeak.kill('SIGKILL');
          sox.kill('SIGKILL');
          reject(err);
        } else resolve(Buffer.concat(chunks));
      };
      const onAbort = (): void => {
        finish(new MediaError('SPEECH_FAILED', 'speech synthesis aborted (time limit)'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      const onSpawnError = (what: string) => (err: Error) => {
        finish(new MediaError('SPEECH_FAILED', `${what} could not run: ${err.message}`, { cause: err }));
      };
      espeak.on('error', onSpawnError(this.espeakPath));
      sox.on('error', onSpawnError(this.soxPath));
      // A dead sox closes the pipe under espeak: that error is sox's exit, reported there.
      sox.stdin.on('error', () => undefined);
      espeak.stdout.pipe(sox.stdin);
      espeak.stderr.on('data', (d: Buffer) => {
        if (errText.length < 500) errText += d.toString('utf8');
      });
      sox.stderr.on('data', (d: Buffer) => {
        if (errText.length < 500) errText += d.toString('utf8');
      });
      sox.stdout.on('data', (d: Buffer) => {
        bytes += d.length;
        if (bytes > this.maxBytes) finish(new MediaError('SPEECH_FAILED', `speech longer than ${this.maxBytes / 8000} s`));
        else chunks.push(d);
      });
      espeak.on('close', (code) => {
        if (code !== 0 && code !== null) finish(new MediaError('SPEECH_FAILED', `espeak-ng exited with ${code}: ${firstLine(errText)}`));
      });
      sox.on('close', (code) => {
        if (code !== 0) finish(new MediaError('SPEECH_FAILED', `sox exited with ${String(code)}: ${firstLine(errText)}`));
        else if (bytes === 0) finish(new MediaError('SPEECH_FAILED', 'the synthesiser produced no audio'));
        else finish(undefined);
      });
    });
  }
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '' && !l.startsWith('ALSA lib'))?.trim() ?? '(no message)';
}
