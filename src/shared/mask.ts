/**
 * Masks a phone number for logs: keeps the first 3 and last 4 digits (138****5678).
 * Short numbers (extensions, 12345) are kept as they are: they identify no resident.
 */
export function maskPhone(value: string): string {
  const digits = value.replace(/^\+?86/, '');
  if (digits.length < 8) return value;
  return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
}
