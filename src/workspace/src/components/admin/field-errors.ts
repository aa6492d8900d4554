/**
 * Refusals of a form's submit, split for display: each API issue whose path names a field of the
 * form goes beside that field (el-form-item `:error`), in Chinese; anything else (a refusal of the
 * whole body, a network failure, a 409 without issues) goes in the alert above the buttons.
 */
import { reactive, ref, type Ref } from 'vue';
import { zhMessage } from '../../api/admin';
import { ApiError, errorText } from '../../api/http';

export interface FieldErrors<F extends string> {
  /** The message beside each field ('' for none). */
  readonly errors: Record<F, string>;
  /** The message above the buttons ('' for none). */
  readonly general: Ref<string>;
  clear(): void;
  set(field: F, message: string): void;
  show(err: unknown): boolean;
}

export function useFieldErrors<F extends string>(fields: readonly F[], pathToField: Readonly<Record<string, F>> = {}): FieldErrors<F> {
  const errors = reactive({}) as Record<F, string>;
  const general = ref('');

  function clear(): void {
    for (const f of fields) errors[f] = '';
    general.value = '';
  }

  function set(field: F, message: string): void {
    errors[field] = errors[field] ? `${errors[field]}；${message}` : message;
  }

  /** Shows `err` (anything `api.*` threw); returns whether some of it went beside a field. */
  function show(err: unknown): boolean {
    clear();
    let besideField = false;
    if (err instanceof ApiError && err.issues.length > 0) {
      const rest: string[] = [];
      for (const issue of err.issues) {
        const top = issue.path.split('.')[0] ?? issue.path;
        const field = pathToField[issue.path] ?? pathToField[top] ?? (fields.includes(top as F) ? (top as F) : undefined);
        if (field === undefined) rest.push(zhMessage(issue.message));
        else {
          set(field, zhMessage(issue.message));
          besideField = true;
        }
      }
      general.value = rest.length > 0 ? `提交未成功：${rest.join('；')}` : '提交未成功，请按提示修改标红的项';
    } else {
      general.value = `提交未成功：${err instanceof ApiError ? zhMessage(err.message) : errorText(err)}`;
    }
    return besideField;
  }

  clear();
  return { errors, general, clear, set, show };
}
