/**
 * The port the `order-status` node reads work orders through (calls/ implements it over the
 * ticket service). The IVR sees only what it may say: no content, no resident name.
 */

/** The steps a resident hears (已派单 / 已签收 / 办理中 / 已答复 / 已办结). */
export const ORDER_STEPS = { dispatched: '已派单', signed: '已签收', 'in-progress': '办理中', replied: '已答复', closed: '已办结' } as const;
export type OrderStep = keyof typeof ORDER_STEPS;

export interface OrderStatus {
  /** `YYYYMMDD-NNNNNN`. */
  readonly code: string;
  /** Compared with the calling number: only the resident hears the details. */
  readonly residentPhone: string;
  /** Day the hotline accepted it (受理), `YYYYMMDD` in the centre's time zone. */
  readonly acceptedDay: string;
  /** The unit holding it now; null before dispatch. */
  readonly unitName: string | null;
  readonly step: OrderStep;
  /** Reply deadline (答复期限), `YYYYMMDD` in the centre's time zone; null when none applies. */
  readonly replyByDay: string | null;
  /** The unit's reply (free text) once the order is replied (已答复 / 已办结); null before, or when none was written. */
  readonly reply?: string | null;
}

export interface OrderLookup {
  /** The order with this code (`20261122-000123`, or its 14 digits as keyed on a phone); undefined when none. */
  byCode(code: string): Promise<OrderStatus | undefined>;
  /** Orders from this phone number that are not closed yet, newest first, at most `limit`. */
  openByPhone(phone: string, limit: number): Promise<readonly OrderStatus[]>;
}
