/**
 * Puts `text` on the clipboard. `navigator.clipboard` exists only in a secure context (https or
 * localhost); a workspace opened as http://<LAN address> falls back to a selected textarea and
 * the copy command. Returns whether it worked.
 */
export async function copyText(text: string): Promise<boolean> {
  try {
    // Typed as always there; it is not outside a secure context.
    if (window.isSecureContext && (navigator.clipboard as Clipboard | undefined) !== undefined) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Denied: try the old way.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    // Deprecated but still the only way without the Clipboard API (plain-http LAN address).
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}
