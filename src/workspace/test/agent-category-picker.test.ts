import { flushPromises, mount } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { afterEach, describe, expect, it } from 'vitest';
import { nextTick, ref } from 'vue';
import { Catalog, type CategoryNode } from '../src/api/catalog';
import CategoryPicker from '../src/components/agent/CategoryPicker.vue';
import { flattenCategories } from '../src/components/agent/category-options';

function node(id: number, code: string, name: string, children: CategoryNode[] = [], active = true): CategoryNode {
  return { id, parentId: null, code, name, level: code.length / 2, defaultUnitId: null, defaultUnitCode: null, replyDays: null, replyHours: null, signDays: null, active, children };
}
const TREE = [
  node(1, '01', '城乡建设', [node(2, '0101', '物业管理', [node(3, '010101', '电梯故障'), node(4, '010102', '物业收费')]), node(5, '0103', '违法建设', [node(6, '010302', '违规装修')])]),
  node(7, '02', '教育', [node(8, '0201', '停用的类别', [], false)]),
];
const catalog = new Catalog(TREE, []);

async function settle(): Promise<void> {
  await flushPromises();
  await new Promise((r) => setTimeout(r, 30));
  await nextTick();
}

describe('CategoryPicker (诉求类别)', () => {
  afterEach(() => {
    document.body.innerHTML = '';
  });

  it('lists every category by its full path, retired ones not selectable', () => {
    const opts = flattenCategories(TREE);
    expect(opts.map((o) => o.label)).toContain('城乡建设 / 物业管理 / 电梯故障');
    expect(opts.find((o) => o.value === 8)?.disabled).toBe(true);
  });

  it('is operated by keyboard alone: type a name, ↓ moves, Enter picks', async () => {
    const model = ref<number | null>(null);
    const w = mount(CategoryPicker, {
      props: { catalog, inputId: 'cat', modelValue: model.value, 'onUpdate:modelValue': (v: number | null) => (model.value = v) },
      global: { plugins: [ElementPlus] },
      attachTo: document.body,
    });
    await flushPromises(); // Element Plus puts the id on the input once mounted
    const input = w.get('input#cat');
    await input.trigger('focus');
    await input.trigger('click');
    (input.element as HTMLInputElement).value = '物业';
    await input.trigger('input');
    await settle();
    expect(document.querySelectorAll('.category-picker-popper .el-select-dropdown__item').length).toBe(3); // 物业管理 and its two children
    await input.trigger('keydown', { key: 'ArrowDown', code: 'ArrowDown' });
    await settle();
    await input.trigger('keydown', { key: 'Enter', code: 'Enter' });
    await settle();
    expect(model.value).toBe(3);
    w.unmount();
  });

  it('searches by the start of a code and takes the first match with Enter', async () => {
    const model = ref<number | null>(null);
    const w = mount(CategoryPicker, {
      props: { catalog, inputId: 'cat', modelValue: model.value, 'onUpdate:modelValue': (v: number | null) => (model.value = v) },
      global: { plugins: [ElementPlus] },
      attachTo: document.body,
    });
    await flushPromises(); // Element Plus puts the id on the input once mounted
    const input = w.get('input#cat');
    await input.trigger('focus');
    await input.trigger('click');
    (input.element as HTMLInputElement).value = '010302';
    await input.trigger('input');
    await settle();
    await input.trigger('keydown', { key: 'Enter', code: 'Enter' });
    await settle();
    expect(model.value).toBe(6);
    w.unmount();
  });
});
