import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import EventTrail from '../src/components/orders/EventTrail.vue';
import { event, plugins } from './order-fixtures';

const unitName = (id: number) => (id === 1 ? '区供暖办公室' : `单位 #${id}`);

function items(w: ReturnType<typeof mount>): string[] {
  return w.findAll('.event').map((e) => e.text().replace(/\s+/g, ' '));
}

describe('order event trail', () => {
  it('when supervision calls were made, it shows each attempt with its step, result and number called', () => {
    const deadline = '2026-11-23T02:00:00.000Z';
    const w = mount(EventTrail, {
      props: {
        unitName,
        events: [
          event('supervision-call', {
            actorRole: 'system',
            actorUserId: 0,
            channel: 'phone',
            data: { step: 'sign', deadline, attempt: 1, result: 'no-answer', target: 'tel:01065120001', callId: null },
          }),
          event('supervision-call', {
            actorRole: 'system',
            actorUserId: 0,
            channel: 'phone',
            note: 'an international number (DIAL_PLAN_DENY "+!")',
            data: { step: 'reply', deadline, attempt: 2, result: 'refused-by-dial-plan', target: 'sip:+19005550199@10.0.0.5', callId: null },
          }),
          event('supervision-call', { actorRole: 'system', actorUserId: 0, channel: 'phone', data: { step: 'sign', deadline, attempt: 3, result: 'acknowledged', target: 'sip:8108@10.0.0.5', callId: 'c3' } }),
          event('supervision-acknowledged', { actorRole: 'system', actorUserId: 0, channel: 'phone', data: { step: 'sign', deadline, attempt: 3, result: 'acknowledged' } }),
          event('escalated', { actorRole: 'system', actorUserId: 0, channel: 'api', note: 'red for 2 working days', data: { from: 1, to: 2 } }),
        ],
      },
      global: { plugins },
    });
    const shown = items(w);
    expect(shown).toHaveLength(5);
    expect(shown[0]).toContain('电话督办（第 1 次）');
    expect(shown[0]).toContain('督办环节：签收时限');
    expect(shown[0]).toContain('结果：无人接听');
    expect(shown[0]).toContain('拨打：tel:01065120001');
    expect(shown[0]).toContain('系统 · 电话');
    expect(shown[1]).toContain('督办环节：答复时限');
    expect(shown[1]).toContain('结果：号码被拨号规则拒绝，未拨打');
    expect(shown[1]).toContain('说明：an international number');
    expect(shown[2]).toContain('结果：联络人已确认');
    expect(shown[3]).toContain('督办已确认');
    expect(shown[4]).toContain('督办升级');
    expect(shown[4]).toContain('督办级别：1 级 → 2 级');
    expect(w.find('[aria-label="办理时间线"]').exists()).toBe(true);
  });

  it('when the order went through returns, extensions, a reply, a review and the survey, every event is named in Chinese with its details', () => {
    const w = mount(EventTrail, {
      props: {
        unitName,
        events: [
          event('created', { data: { requestType: 'complaint', urgency: 'urgent', callId: 'abc@10.0.0.1', categoryId: 2 } }),
          event('dispatched', { data: { unitCode: 'GNB', redispatch: false, signBy: '2026-11-23T02:00:00.000Z', returnBy: '2026-11-23T02:00:00.000Z', replyBy: '2026-11-26T02:00:00.000Z' } }),
          event('returned', { actorRole: 'unit', note: '不属于本单位职责，应由区城管委办理' }),
          event('dispatched', { data: { unitCode: 'CGW', redispatch: true }, unitId: 2 }),
          event('signed', { actorRole: 'unit', unitId: 2 }),
          event('started', { actorRole: 'unit', unitId: 2 }),
          event('extension-requested', { actorRole: 'unit', note: '需协调供热公司', data: { days: 3, replyBy: '2026-11-26T02:00:00.000Z' } }),
          event('extension-refused', { actorRole: 'supervisor', note: '时间足够', data: { days: 3 } }),
          event('extension-requested', { actorRole: 'unit', note: '需协调供热公司检修', data: { days: 2 } }),
          event('extension-approved', { actorRole: 'supervisor', data: { days: 2, previousReplyBy: '2026-11-26T02:00:00.000Z', replyBy: '2026-11-30T02:00:00.000Z' } }),
          event('replied', { actorRole: 'unit', note: '经现场核实，已更换阀门，室温恢复到20度。', data: { handlerName: '李明', handlerPhone: '01065120001', late: true } }),
          event('review-rejected', { actorRole: 'supervisor', note: '未说明整改结果' }),
          event('review-approved', { actorRole: 'supervisor', note: null }),
          event('survey-call', { actorRole: 'system', actorUserId: 0, channel: 'phone', unitId: null, data: { round: 0, attempt: 1, result: 'busy', by: 'ivr', target: '13812345678' } }),
          event('surveyed', { data: { satisfaction: 'unsatisfied', resolution: 'unresolved' } }),
          event('reopened', { data: { cause: 'unsatisfied', reopenCount: 1 } }),
          event('linked-duplicate', { data: { duplicate: 9, duplicateCode: '20261121-000004', role: 'original' } }),
          event('closed', { data: { satisfaction: 'satisfied', rated: true } }),
        ],
      },
      global: { plugins },
    });
    const shown = items(w);
    const titles = w.findAll('.event-title').map((t) => t.text());
    expect(titles).toEqual([
      '受理', '派单', '退单', '重新派单', '签收', '开始办理', '申请延期', '拒绝延期', '申请延期', '批准延期',
      '答复（超期答复）', '退回重办', '审核通过', '回访电话（第 1 次）', '回访评价', '重办', '关联重复工单', '办结',
    ]);
    expect(shown[0]).toContain('诉求类型：投诉举报');
    expect(shown[1]).toContain('承办单位：区供暖办公室');
    expect(shown[2]).toContain('退单原因：不属于本单位职责，应由区城管委办理');
    expect(shown[3]).toContain('承办单位：单位 #2');
    expect(shown[6]).toContain('申请延期：3 个工作日');
    expect(shown[7]).toContain('审批意见：时间足够');
    expect(shown[10]).toContain('答复人：李明');
    expect(shown[10]).toContain('答复电话：01065120001');
    expect(shown[11]).toContain('退回原因：未说明整改结果');
    expect(shown[13]).toContain('结果：占线');
    expect(shown[13]).toContain('方式：自动语音回访');
    expect(shown[14]).toContain('满意度：不满意');
    expect(shown[15]).toContain('原因：回访不满意');
    expect(shown[16]).toContain('重复来电工单：20261121-000004');
    expect(shown[17]).toContain('满意度：满意');
  });
});
