/**
 * One report section's data: fetched again whenever the period object changes (a new object also
 * means "refresh"), the previous request aborted, loading and the error kept for the section to show.
 * A failed load clears the old figures: they belong to another period.
 */
import { onBeforeUnmount, ref, shallowRef, watch, type Ref } from 'vue';
import { errorText } from '../../api/http';
import type { ReportQuery } from '../../api/reports';

export function useReport<T>(period: Ref<ReportQuery>, load: (period: ReportQuery, signal: AbortSignal) => Promise<T>) {
  const data = shallowRef<T>();
  const loading = ref(false);
  const error = ref<string>();
  let controller: AbortController | undefined;

  async function refresh(): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    loading.value = true;
    error.value = undefined;
    try {
      const result = await load(period.value, mine.signal);
      if (controller === mine) data.value = result;
    } catch (err) {
      if (mine.signal.aborted) return;
      data.value = undefined;
      error.value = `加载失败：${errorText(err)}`;
    } finally {
      if (controller === mine) loading.value = false;
    }
  }

  watch(period, () => void refresh(), { immediate: true });
  onBeforeUnmount(() => controller?.abort());
  return { data, loading, error, refresh };
}
