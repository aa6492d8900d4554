import { onBeforeUnmount, onMounted, ref, useTemplateRef, type Ref } from 'vue';

/**
 * The Fullscreen API for one element (the template ref `refName`): `fullscreen` follows the browser
 * (Esc leaves it too), `toggle` enters or leaves, `supported` is false where the page may not go full screen.
 */
export function useFullscreen(refName: string): { fullscreen: Ref<boolean>; supported: boolean; toggle: () => Promise<void> } {
  const el = useTemplateRef<HTMLElement>(refName);
  const fullscreen = ref(false);
  const supported = typeof document !== 'undefined' && document.fullscreenEnabled;
  const onChange = (): void => {
    fullscreen.value = document.fullscreenElement !== null && document.fullscreenElement === el.value;
  };
  onMounted(() => {
    document.addEventListener('fullscreenchange', onChange);
  });
  onBeforeUnmount(() => {
    document.removeEventListener('fullscreenchange', onChange);
  });
  async function toggle(): Promise<void> {
    if (document.fullscreenElement !== null) await document.exitFullscreen();
    else await el.value?.requestFullscreen();
  }
  return { fullscreen, supported, toggle };
}
