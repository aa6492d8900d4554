import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { parseQueues, type QueueDefinitions } from '../../../src/acd/index.js';
import { queueOpening } from '../../../src/calls/after-hours-desk.js';
import { parseCalendar } from '../../../src/tickets/holiday-calendar.js';

const calendar = parseCalendar(readFileSync('sql/seed/calendar-cn.yaml', 'utf8'), 'sql/seed/calendar-cn.yaml', 'Asia/Shanghai');

const queues: QueueDefinitions = parseQueues(
  `queues:
  general:
    displayName: 综合咨询
    skills: [general]
  consult:
    displayName: 政策咨询
    skills: [consult]
    overflow: general
    onMaxWait: overflow
    hours:
      workingDays: ["08:30-12:00", "13:30-17:30"]
  weekend:
    displayName: 周末值班
    skills: [weekend]
    hours:
      workingDays: []
      otherDays: ["09:00-24:00"]
  alone:
    displayName: 单独坐席
    skills: [alone]
    overflow: general
    onMaxWait: callback-offer
`,
  'test.yaml',
);

/** Beijing local time as an instant. */
const at = (local: string): Date => new Date(`${local}+08:00`);

function opening(queue: string, local: string, staffed: Record<string, number> = { general: 1, consult: 1, weekend: 1, alone: 1 }, closedWhenUnstaffed = true): string {
  return queueOpening(queue, at(local), { queues, staffedFor: (q) => staffed[q] ?? 0, calendar, timeZone: 'Asia/Shanghai', closedWhenUnstaffed });
}

describe('night mode: when a queue takes calls (service hours on the working-day calendar, staffing)', () => {
  it('when a queue has no hours, it is open at 3 a.m. on a public holiday', () => {
    expect(opening('general', '2025-10-01T03:00:00')).to.equal('open');
  });

  it('when a working day is inside a period, it is open; in the lunch break, before and after, it is closed', () => {
    expect(opening('consult', '2025-09-30T08:30:00')).to.equal('open');
    expect(opening('consult', '2025-09-30T11:59:00')).to.equal('open');
    expect(opening('consult', '2025-09-30T12:00:00')).to.equal('closed');
    expect(opening('consult', '2025-09-30T13:29:00')).to.equal('closed');
    expect(opening('consult', '2025-09-30T17:29:00')).to.equal('open');
    expect(opening('consult', '2025-09-30T17:30:00')).to.equal('closed');
    expect(opening('consult', '2025-09-30T08:29:00')).to.equal('closed');
  });

  it('when a weekday is a public holiday (国庆, Wednesday 2025-10-01), working-day hours do not apply', () => {
    expect(opening('consult', '2025-10-01T10:00:00')).to.equal('closed');
    expect(opening('weekend', '2025-10-01T10:00:00')).to.equal('open');
  });

  it('when a Sunday is a make-up working day (调休 2025-09-28), working-day hours apply', () => {
    expect(opening('consult', '2025-09-28T10:00:00')).to.equal('open');
    expect(opening('weekend', '2025-09-28T10:00:00')).to.equal('closed');
    // An ordinary Sunday.
    expect(opening('consult', '2025-09-21T10:00:00')).to.equal('closed');
    expect(opening('weekend', '2025-09-21T23:59:00')).to.equal('open');
  });

  it('when nobody staffs the queue or the queue it overflows to, it is unstaffed; staff on the overflow queue keep it open', () => {
    expect(opening('general', '2025-09-30T10:00:00', {})).to.equal('unstaffed');
    expect(opening('consult', '2025-09-30T10:00:00', { general: 1 })).to.equal('open');
    expect(opening('consult', '2025-09-30T10:00:00', { consult: 0, general: 0 })).to.equal('unstaffed');
    // `alone` names general as overflow but does not overflow (onMaxWait: callback-offer): general's agents never get its callers.
    expect(opening('alone', '2025-09-30T10:00:00', { general: 3 })).to.equal('unstaffed');
  });

  it('when staffing is not checked (QUEUE_CLOSED_WHEN_UNSTAFFED=false), an empty queue is open but hours still close it', () => {
    expect(opening('general', '2025-09-30T10:00:00', {}, false)).to.equal('open');
    expect(opening('consult', '2025-09-30T20:00:00', {}, false)).to.equal('closed');
  });

  it('when outside hours and unstaffed, it says closed (the reason callers hear about first)', () => {
    expect(opening('consult', '2025-09-30T20:00:00', {})).to.equal('closed');
  });
});

describe('queues file: hours', () => {
  const bad = (hours: string): string => {
    try {
      parseQueues(`queues:\n  q:\n    displayName: 综合\n    skills: [a]\n    hours: ${hours}\n`, 'q.yaml');
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    return 'accepted';
  };

  it('when a period is malformed or ends before it starts, the file is refused naming the field', () => {
    expect(bad('{ workingDays: ["8:30-17:30"] }')).to.match(/hours\.workingDays\[0\].*HH:MM-HH:MM/);
    expect(bad('{ workingDays: ["17:30-08:30"] }')).to.match(/hours\.workingDays\[0\].*must end after it starts/);
    expect(bad('{ workingDays: ["09:00-24:00"], weekends: [] }')).to.match(/unknown field/);
    expect(bad('{ workingDays: ["00:00-24:00"] }')).to.equal('accepted');
  });
});
