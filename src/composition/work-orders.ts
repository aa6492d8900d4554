import { readFile } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import { SequelizeCategoryRepository } from '../db/category-repository.js';
import type { Database } from '../db/database.js';
import { SequelizeKnowledgeRepository } from '../db/knowledge-repository.js';
import { SequelizeTicketRepository } from '../db/ticket-repository.js';
import { SequelizeUnitRepository } from '../db/unit-repository.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../shared/clock.js';
import { parseCalendar, type HolidayCalendar } from '../tickets/holiday-calendar.js';
import { TicketService } from '../tickets/ticket-service.js';

export interface WorkOrders {
  readonly tickets: TicketService;
  readonly units: SequelizeUnitRepository;
  readonly categories: SequelizeCategoryRepository;
  /** Working days: deadlines, and the days outbound calls may be placed. */
  readonly calendar: HolidayCalendar;
}

/** Work orders (工单) over the database, with the working-day calendar. Holds nothing to close. */
export async function createWorkOrders(config: Config, db: Database, clock: Clock, logger: Logger): Promise<WorkOrders> {
  const calendar = parseCalendar(await readFile(config.CALENDAR_FILE, 'utf8'), config.CALENDAR_FILE, config.TZ);
  const thisYear = new Date(clock.now()).getUTCFullYear();
  for (const year of [thisYear, thisYear + 1]) {
    if (!calendar.covers(year)) logger.warn('the working-day calendar does not cover this year: weekends only', { year, file: config.CALENDAR_FILE });
    else if (calendar.isProvisional(year)) logger.warn('the working-day calendar of this year is provisional: replace it when the State Council publishes it', { year, file: config.CALENDAR_FILE });
  }
  const units = new SequelizeUnitRepository(db.sequelize);
  const categories = new SequelizeCategoryRepository(db.sequelize);
  const tickets = new TicketService({
    tickets: new SequelizeTicketRepository(db.sequelize, { timeZone: config.TZ }),
    categories,
    units,
    calendar,
    clock,
    timeZone: config.TZ,
    logger,
    duplicateWindowDays: config.DUPLICATE_WINDOW_DAYS,
    articles: new SequelizeKnowledgeRepository(db.sequelize),
  });
  return { tickets, units, categories, calendar };
}
