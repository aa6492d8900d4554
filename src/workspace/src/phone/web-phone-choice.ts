import type { RegisteredPhone } from '@wire/agent-desk';

/** Where this browser remembers the agent's 网页话机 choice ('on' / 'off'; absent: never chosen here). */
export const WEB_PHONE_KEY = 'hotline.webPhone';

/**
 * Whether the desk page starts its 网页话机. The agent's choice in this browser wins. Without one, the
 * phone starts unless a desk softphone has the extension (one registration per extension, the newest
 * wins: starting would take the calls away from it): an agent with only a browser is registered as it
 * signs in, one with a desk phone keeps it. When the server did not say (`undefined`), it stays off.
 * A browser already registered (another tab, or this one before a reload) counts as no desk phone.
 */
export function webPhoneWanted(stored: string | null, registered: RegisteredPhone | undefined): boolean {
  if (stored === 'on') return true;
  if (stored === 'off') return false;
  return registered === null || registered === 'browser';
}
