/**
 * `YYYY-MM-DD` of an instant in a time zone, fast enough to run once per event of a rebuild over
 * millions of rows: the zone's offset is looked up once per UTC hour (offsets change on whole UTC
 * hours in every zone the centre could use), the date is then plain arithmetic.
 */
export type DayKeyOf = (instantMs: number) => string;

const HOUR_MS = 3_600_000;

export function dayKeyOf(timeZone: string): DayKeyOf {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  const offsets = new Map<number, number>();
  const offsetAt = (hour: number): number => {
    let offset = offsets.get(hour);
    if (offset === undefined) {
      const instant = hour * HOUR_MS;
      const parts = format.formatToParts(new Date(instant));
      const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? '0');
      offset = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - instant;
      if (offsets.size > 100_000) offsets.clear();
      offsets.set(hour, offset);
    }
    return offset;
  };
  return (instantMs) => {
    const local = new Date(instantMs + offsetAt(Math.floor(instantMs / HOUR_MS)));
    const m = local.getUTCMonth() + 1;
    const d = local.getUTCDate();
    return `${String(local.getUTCFullYear()).padStart(4, '0')}-${m < 10 ? '0' : ''}${String(m)}-${d < 10 ? '0' : ''}${String(d)}`;
  };
}

/** No earlier day (the `prev_day` of a first dispatch): sorts before every `YYYY-MM-DD`. */
export const NO_DAY_BEFORE = '';
/** No later day (the `next_day` of a last survey): sorts after every `YYYY-MM-DD`. */
export const NO_DAY_AFTER = '9999-12-31';
