import { AppError, NotFoundError } from '../../../src/shared/app-error.js';
import type {
  Category,
  CategoryPatch,
  CategoryRepository,
  HandlingUnit,
  HandlingUnitPatch,
  NewCategory,
  NewHandlingUnit,
  UnitRepository,
} from '../../../src/tickets/catalog.js';
import { formatTicketCode } from '../../../src/tickets/ticket-code.js';
import { VersionConflictError } from '../../../src/tickets/ticket-errors.js';
import type {
  DeadlineRange,
  DuplicateLink,
  NewTicketEvent,
  Ticket,
  TicketDraft,
  TicketEvent,
  TicketEventType,
  TicketFilter,
  TicketPage,
  TicketPatch,
  TicketRepository,
  TicketState,
  TicketWithEvents,
} from '../../../src/tickets/ticket.js';

/** In-memory repositories for unit tests of the ticket domain and its routes. */
export class MemoryUnits implements UnitRepository {
  readonly rows: HandlingUnit[] = [];

  list(): Promise<HandlingUnit[]> {
    return Promise.resolve([...this.rows]);
  }
  get(id: number): Promise<HandlingUnit | undefined> {
    return Promise.resolve(this.rows.find((u) => u.id === id));
  }
  getByCode(code: string): Promise<HandlingUnit | undefined> {
    return Promise.resolve(this.rows.find((u) => u.code === code));
  }
  create(unit: NewHandlingUnit): Promise<HandlingUnit> {
    if (this.rows.some((u) => u.code === unit.code)) return Promise.reject(new AppError('DUPLICATE', `unit ${unit.code} exists`));
    const row = { ...unit, id: this.rows.length + 1 };
    this.rows.push(row);
    return Promise.resolve(row);
  }
  update(id: number, patch: HandlingUnitPatch): Promise<HandlingUnit> {
    const i = this.rows.findIndex((u) => u.id === id);
    const old = this.rows[i];
    if (old === undefined) return Promise.reject(new NotFoundError(`no handling unit ${id}`));
    const row = { ...old, ...patch };
    this.rows[i] = row;
    return Promise.resolve(row);
  }
}

export class MemoryCategories implements CategoryRepository {
  readonly rows: Category[] = [];

  list(): Promise<Category[]> {
    return Promise.resolve([...this.rows].sort((a, b) => a.level - b.level || a.id - b.id));
  }
  get(id: number): Promise<Category | undefined> {
    return Promise.resolve(this.rows.find((c) => c.id === id));
  }
  async lineage(id: number): Promise<Category[]> {
    const chain: Category[] = [];
    for (let c = await this.get(id); c !== undefined; c = c.parentId === null ? undefined : await this.get(c.parentId)) chain.push(c);
    return chain;
  }
  create(category: NewCategory): Promise<Category> {
    if (this.rows.some((c) => c.code === category.code)) return Promise.reject(new AppError('DUPLICATE', `category ${category.code} exists`));
    const row = { ...category, id: this.rows.length + 1 };
    this.rows.push(row);
    return Promise.resolve(row);
  }
  update(id: number, patch: CategoryPatch): Promise<Category> {
    const i = this.rows.findIndex((c) => c.id === id);
    const old = this.rows[i];
    if (old === undefined) return Promise.reject(new NotFoundError(`no category ${id}`));
    const row = { ...old, ...patch };
    this.rows[i] = row;
    return Promise.resolve(row);
  }
}

export class MemoryTickets implements TicketRepository {
  readonly rows: TicketWithEvents[] = [];
  private readonly sequences = new Map<string, number>();
  private eventId = 0;

  create(day: string, draft: TicketDraft, events: readonly NewTicketEvent[], link?: DuplicateLink): Promise<TicketWithEvents> {
    const sequence = (this.sequences.get(day) ?? 0) + 1;
    this.sequences.set(day, sequence);
    const id = this.rows.length + 1;
    const code = formatTicketCode(day, sequence);
    const ticket: TicketWithEvents = { ...draft, id, code, version: 1, updatedAt: draft.createdAt, events: this.stamp(id, events) };
    this.rows.push(ticket);
    if (link !== undefined) this.push(link.ticketId, [link.event({ id, code })]);
    return Promise.resolve(ticket);
  }
  findByCode(code: string): Promise<TicketWithEvents | undefined> {
    return Promise.resolve(this.rows.find((t) => t.code === code));
  }
  findById(id: number): Promise<TicketWithEvents | undefined> {
    return Promise.resolve(this.rows.find((t) => t.id === id));
  }
  list(filter: TicketFilter, page: { limit: number; offset: number }): Promise<TicketPage> {
    const hits = this.rows
      .filter(
        (t) =>
          (filter.phone === undefined || t.residentPhone === filter.phone) &&
          (filter.currentUnitId === undefined || t.currentUnitId === filter.currentUnitId) &&
          (filter.states === undefined || filter.states.includes(t.state)) &&
          (filter.deadline === undefined || inRange(t, filter.deadline)) &&
          (filter.extensionStatus === undefined || t.extensionStatus === filter.extensionStatus),
      )
      .sort(filter.sort === 'deadline' ? byDeadline : (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
    return Promise.resolve({ items: hits.slice(page.offset, page.offset + page.limit), total: hits.length });
  }
  update(id: number, expectedVersion: number, patch: TicketPatch, events: readonly NewTicketEvent[]): Promise<TicketWithEvents> {
    const i = this.rows.findIndex((t) => t.id === id);
    const old = this.rows[i];
    if (old === undefined) return Promise.reject(new NotFoundError(`no ticket ${id}`));
    if (old.version !== expectedVersion) return Promise.reject(new VersionConflictError(old.code, expectedVersion, old.version));
    const row: TicketWithEvents = { ...old, ...patch, version: old.version + 1, updatedAt: events[0]?.at ?? old.updatedAt, events: [...old.events, ...this.stamp(id, events)] };
    this.rows[i] = row;
    return Promise.resolve(row);
  }
  appendEvents(ticketId: number, events: readonly NewTicketEvent[]): Promise<void> {
    if (!this.rows.some((t) => t.id === ticketId)) return Promise.reject(new NotFoundError(`no ticket ${ticketId}`));
    this.push(ticketId, events);
    return Promise.resolve();
  }
  events(ticketIds: readonly number[], types: readonly TicketEventType[]): Promise<TicketEvent[]> {
    const all = this.rows.flatMap((t) => t.events).filter((e) => ticketIds.includes(e.ticketId) && types.includes(e.type));
    return Promise.resolve(all.sort((a, b) => a.id - b.id));
  }
  latestFrom(phone: string, categoryId: number, since: Date): Promise<Ticket | undefined> {
    const hits = this.rows
      .filter((t) => t.residentPhone === phone && t.categoryId === categoryId && t.createdAt >= since)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
    return Promise.resolve(hits[0]);
  }
  inStates(states: readonly TicketState[], limit: number): Promise<Ticket[]> {
    const hits = this.rows.filter((t) => states.includes(t.state)).sort((a, b) => a.updatedAt.getTime() - b.updatedAt.getTime() || a.id - b.id);
    return Promise.resolve(hits.slice(0, limit));
  }

  private stamp(ticketId: number, events: readonly NewTicketEvent[]): TicketEvent[] {
    return events.map((e) => ({ ...e, id: ++this.eventId, ticketId }));
  }
  private push(ticketId: number, events: readonly NewTicketEvent[]): void {
    const i = this.rows.findIndex((t) => t.id === ticketId);
    const old = this.rows[i];
    if (old !== undefined) this.rows[i] = { ...old, events: [...old.events, ...this.stamp(ticketId, events)] };
  }
}

/** The repository's deadline rule (sign_by while dispatched, reply_by while signed / in progress). */
function currentDeadline(t: Ticket): Date | null {
  return t.state === 'dispatched' ? t.signBy : t.state === 'signed' || t.state === 'in-progress' ? t.replyBy : null;
}

/** Soonest current deadline first, none last, then id. */
function byDeadline(a: Ticket, b: Ticket): number {
  const da = currentDeadline(a);
  const db = currentDeadline(b);
  if (da === null || db === null) return (da === null ? 1 : 0) - (db === null ? 1 : 0) || a.id - b.id;
  return da.getTime() - db.getTime() || a.id - b.id;
}

function inRange(t: Ticket, r: DeadlineRange): boolean {
  const d = currentDeadline(t);
  if (d === null) return false;
  const ms = d.getTime();
  return (
    (r.before === undefined || ms < r.before.getTime()) &&
    (r.notBefore === undefined || ms >= r.notBefore.getTime()) &&
    (r.notAfter === undefined || ms <= r.notAfter.getTime()) &&
    (r.after === undefined || ms > r.after.getTime())
  );
}

/** A small catalog: 供暖 (class, GNB, reply 4 d) > 室温不达标 (reply 1 d), 噪音 (no unit) > 施工噪音 (24 h), inactive 旧分类. */
export async function smallCatalog(units: MemoryUnits, categories: MemoryCategories): Promise<{ gnb: HandlingUnit; cgw: HandlingUnit; ids: Record<string, number> }> {
  const unit = (code: string, name: string) => ({ code, name, kind: 'bureau' as const, liaisonName: '王丽', liaisonPhone: '01065120001', liaisonSipUri: null, active: true });
  const gnb = await units.create(unit('GNB', '区供暖办公室'));
  const cgw = await units.create(unit('CGW', '区城市管理委员会'));
  const base = { defaultUnitId: null, replyDays: null, replyHours: null, signDays: null, active: true };
  const heating = await categories.create({ ...base, parentId: null, code: '05', name: '供暖', level: 1, defaultUnitId: gnb.id, replyDays: 4, signDays: 1 });
  const cold = await categories.create({ ...base, parentId: heating.id, code: '0501', name: '室温不达标', level: 2, replyDays: 1 });
  const noise = await categories.create({ ...base, parentId: null, code: '02', name: '噪音扰民', level: 1 });
  const building = await categories.create({ ...base, parentId: noise.id, code: '0201', name: '施工噪音', level: 2, replyHours: 24, defaultUnitId: cgw.id });
  const old = await categories.create({ ...base, parentId: null, code: '99', name: '旧分类', level: 1, active: false, defaultUnitId: gnb.id });
  return { gnb, cgw, ids: { heating: heating.id, cold: cold.id, noise: noise.id, building: building.id, old: old.id } };
}
