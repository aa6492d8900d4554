/**
 * The desk's keyboard shortcuts (F2, F3, F4, Ctrl+Enter) are window-wide: they must not act behind a
 * modal (示忙原因, a message box, the order drawer): Ctrl+Enter typed in the dialog's 其他原因 would
 * otherwise submit the order form underneath.
 */

const DIALOG = '[role="dialog"], [aria-modal="true"], .el-dialog, .el-drawer, .el-message-box';

/** True while a modal dialog or drawer is shown anywhere on the page. */
export function dialogOpen(doc: Document = document): boolean {
  for (const el of Array.from(doc.querySelectorAll<HTMLElement>('.el-overlay, [aria-modal="true"]'))) {
    if (isShown(el)) return true;
  }
  return false;
}

function isShown(el: HTMLElement): boolean {
  for (let n: HTMLElement | null = el; n !== null; n = n.parentElement) {
    if (n.style.display === 'none' || n.hidden) return false;
  }
  return true;
}

/** The key press belongs to a dialog (typed inside one, or one is open): page shortcuts ignore it. */
export function shortcutBlocked(e: KeyboardEvent): boolean {
  const target = e.target;
  if (target instanceof Element && target.closest(DIALOG) !== null) return true;
  return dialogOpen(target instanceof Node ? (target.ownerDocument ?? document) : document);
}
