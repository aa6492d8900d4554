/**
 * The port the `speak` node synthesises through: text in, the name of a prompt ready to play out
 * (media/ implements it with espeak-ng, a cache and a time limit; tests use a fake). The IVR never
 * learns how the audio is made.
 */
export interface Speech {
  /**
   * Resolves with the prompt name holding `text` spoken (from the cache, or synthesised now).
   * Rejects when synthesis fails or takes too long: the node then plays its fallback.
   */
  prepare(text: string): Promise<string>;
}
