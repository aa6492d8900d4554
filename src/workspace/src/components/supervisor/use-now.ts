import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue';

/** `Date.now()`, refreshed every `everyMs` while the component is mounted: the wallboard's ticking clocks. */
export function useNow(everyMs = 1000): Ref<number> {
  const now = ref(Date.now());
  let timer: ReturnType<typeof setInterval> | undefined;
  onMounted(() => {
    timer = setInterval(() => {
      now.value = Date.now();
    }, everyMs);
  });
  onBeforeUnmount(() => {
    if (timer !== undefined) clearInterval(timer);
  });
  return now;
}
