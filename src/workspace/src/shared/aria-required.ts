/**
 * Element Plus marks a required field only visually (the label's star, `.el-form-item.is-required`):
 * its inputs carry no `aria-required`, so a screen reader does not say "required". This keeps every
 * input of a required form item marked, app-wide (forms come and go with dialogs and pages), and
 * unmarks those it marked when the item stops being required. An input that sets its own
 * `aria-required` is left alone.
 */
const FIELDS = 'input:not([type="hidden"]):not([type="radio"]):not([type="checkbox"]), textarea';
const MARK = 'data-auto-required';

export function markRequiredInputs(root: ParentNode): void {
  for (const el of root.querySelectorAll(`[${MARK}]`)) {
    if (el.closest('.el-form-item.is-required') === null) {
      el.removeAttribute(MARK);
      el.removeAttribute('aria-required');
    }
  }
  for (const item of root.querySelectorAll('.el-form-item.is-required')) {
    for (const el of item.querySelectorAll(FIELDS)) {
      if (el.hasAttribute('aria-required')) continue;
      el.setAttribute('aria-required', 'true');
      el.setAttribute(MARK, '');
    }
  }
}

/** Marks now and after every change of the page (batched: once per task however many changes). */
export function watchRequiredInputs(root: HTMLElement = document.body): () => void {
  let queued = false;
  const run = (): void => {
    queued = false;
    markRequiredInputs(root);
  };
  const observer = new MutationObserver(() => {
    if (queued) return;
    queued = true;
    setTimeout(run, 0);
  });
  observer.observe(root, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
  markRequiredInputs(root);
  return () => {
    observer.disconnect();
  };
}
