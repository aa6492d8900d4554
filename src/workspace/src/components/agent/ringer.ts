/**
 * The desk's ring while an offer rings: a beep pattern made with WebAudio (no audio file), and a
 * system notification when the agent allowed them. Browsers keep audio suspended until the page got a
 * user gesture, so `unlock()` is called from the first click or key press (and from 示闲, which is
 * one); before that the ring is silent and the notification / the panel are what the agent sees.
 */

type AudioCtor = typeof AudioContext;

export class Ringer {
  private ctx: AudioContext | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private notification: Notification | undefined;

  /** Makes (or resumes) the audio context; call it from a user gesture. */
  unlock(): void {
    const Ctor = (window as unknown as { AudioContext?: AudioCtor; webkitAudioContext?: AudioCtor }).AudioContext ?? (window as unknown as { webkitAudioContext?: AudioCtor }).webkitAudioContext;
    if (Ctor === undefined) return;
    try {
      this.ctx ??= new Ctor();
      if (this.ctx.state === 'suspended') void this.ctx.resume().catch(() => undefined);
    } catch {
      this.ctx = undefined;
    }
  }

  /** Asks once for permission to show notifications (from a user gesture). */
  askNotifications(): void {
    if (typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    void Notification.requestPermission().catch(() => undefined);
  }

  get ringing(): boolean {
    return this.timer !== undefined;
  }

  /** Rings until `stop()`: two short beeps every 2 s; a notification with `title`/`body` if allowed. */
  start(title: string, body: string): void {
    if (this.timer === undefined) {
      this.beep();
      this.timer = setInterval(() => {
        this.beep();
      }, 2000);
    }
    this.notify(title, body);
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.notification?.close();
    this.notification = undefined;
  }

  private beep(): void {
    const ctx = this.ctx;
    if (ctx?.state !== 'running') return;
    const t0 = ctx.currentTime;
    for (const start of [0, 0.4]) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.0001, t0 + start);
      gain.gain.exponentialRampToValueAtTime(0.25, t0 + start + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + start);
      osc.stop(t0 + start + 0.32);
    }
  }

  private notify(title: string, body: string): void {
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    try {
      this.notification?.close();
      const n = new Notification(title, { body, tag: 'hotline-offer', requireInteraction: true });
      n.onclick = () => {
        window.focus();
        n.close();
      };
      this.notification = n;
    } catch {
      // Some browsers only allow notifications from a service worker: the panel and the ring remain.
    }
  }
}

export const ringer = new Ringer();
