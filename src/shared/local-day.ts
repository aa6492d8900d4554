/**
 * The instant local midnight began, in `timeZone`, for the day holding `instant` (epoch ms).
 * Times are stored in UTC; "today" and report periods are local days of the centre.
 */
export function startOfLocalDay(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
  const localAsUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offset = localAsUtc - Math.floor(instant / 1000) * 1000;
  return Date.UTC(get('year'), get('month') - 1, get('day')) - offset;
}
