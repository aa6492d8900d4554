import { onUnmounted, ref, type Ref } from 'vue';

/** The time now (ms), updated every `everyMs` while the component is mounted: for call timers and countdowns. */
export function useNow(everyMs = 1000): Ref<number> {
  const now = ref(Date.now());
  const timer = setInterval(() => {
    now.value = Date.now();
  }, everyMs);
  onUnmounted(() => {
    clearInterval(timer);
  });
  return now;
}
