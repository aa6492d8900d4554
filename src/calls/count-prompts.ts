/** Prompts that read a count in Mandarin (一 两 三 … 二十, then 二十多): for positions and minutes. */
export function countPrompts(n: number): string[] {
  if (!Number.isFinite(n) || n < 0) return ['count-0'];
  const whole = Math.floor(n);
  return whole > 20 ? ['count-many'] : [`count-${whole}`];
}
