import { DataTypes, Op, QueryTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';
import type { NewNotice, Notice, NoticeChanges, NoticeDayCount, NoticeHit, NoticeRepository } from '../notices/notice.js';
import { AppError, NotFoundError, toAppError } from '../shared/app-error.js';

/** One row of `notices` (migrations/0015-notices.ts). */
interface NoticeRow extends Model<InferAttributes<NoticeRow>, InferCreationAttributes<NoticeRow>> {
  id: CreationOptional<number>;
  title: string;
  text: string;
  /** JSON array of strings. */
  areas: string;
  /** JSON array of ids. */
  categoryIds: string;
  validFrom: Date;
  validTo: Date;
  status: string;
  createdBy: number;
  withdrawnAt: CreationOptional<Date | null>;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
}

/** One row of `notice_hits`. */
interface NoticeHitRow extends Model<InferAttributes<NoticeHitRow>, InferCreationAttributes<NoticeHitRow>> {
  hitKey: string;
  noticeId: number;
  callId: string;
  day: string;
  heardAt: Date;
  pressed: boolean;
}

function defineModels(sequelize: Sequelize): { notices: ModelStatic<NoticeRow>; hits: ModelStatic<NoticeHitRow> } {
  const notices = sequelize.isDefined('Notice')
    ? (sequelize.model('Notice') as ModelStatic<NoticeRow>)
    : sequelize.define<NoticeRow>(
        'Notice',
        {
          id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
          title: { type: DataTypes.STRING(100), allowNull: false },
          text: { type: DataTypes.STRING(1000), allowNull: false },
          areas: { type: DataTypes.TEXT, allowNull: false },
          categoryIds: { type: DataTypes.TEXT, allowNull: false, field: 'category_ids' },
          validFrom: { type: DataTypes.DATE(3), allowNull: false, field: 'valid_from' },
          validTo: { type: DataTypes.DATE(3), allowNull: false, field: 'valid_to' },
          status: { type: DataTypes.STRING(16), allowNull: false },
          createdBy: { type: DataTypes.INTEGER, allowNull: false, field: 'created_by' },
          withdrawnAt: { type: DataTypes.DATE(3), allowNull: true, field: 'withdrawn_at' },
          createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
          updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
        },
        { tableName: 'notices', timestamps: false, underscored: true },
      );
  const hits = sequelize.isDefined('NoticeHit')
    ? (sequelize.model('NoticeHit') as ModelStatic<NoticeHitRow>)
    : sequelize.define<NoticeHitRow>(
        'NoticeHit',
        {
          hitKey: { type: DataTypes.STRING(64), primaryKey: true, field: 'hit_key' },
          noticeId: { type: DataTypes.INTEGER, allowNull: false, field: 'notice_id' },
          callId: { type: DataTypes.STRING(255), allowNull: false, field: 'call_id' },
          day: { type: DataTypes.STRING(10), allowNull: false },
          heardAt: { type: DataTypes.DATE(3), allowNull: false, field: 'heard_at' },
          pressed: { type: DataTypes.BOOLEAN, allowNull: false },
        },
        { tableName: 'notice_hits', timestamps: false, underscored: true },
      );
  return { notices, hits };
}

/** NoticeRepository on `notices` and `notice_hits`; returns plain objects. */
export class SequelizeNoticeRepository implements NoticeRepository {
  private readonly notices: ModelStatic<NoticeRow>;
  private readonly hits: ModelStatic<NoticeHitRow>;

  constructor(private readonly sequelize: Sequelize) {
    ({ notices: this.notices, hits: this.hits } = defineModels(sequelize));
  }

  async create(n: NewNotice, now: number): Promise<Notice> {
    try {
      const at = new Date(now);
      const row = await this.notices.create({
        title: n.title,
        text: n.text,
        areas: JSON.stringify(n.areas),
        categoryIds: JSON.stringify(n.categoryIds),
        validFrom: new Date(n.validFrom),
        validTo: new Date(n.validTo),
        status: 'active',
        createdBy: n.createdBy,
        withdrawnAt: null,
        createdAt: at,
        updatedAt: at,
      });
      return toNotice(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'storing a notice failed');
    }
  }

  async get(id: number): Promise<Notice | undefined> {
    try {
      const row = await this.notices.findByPk(id);
      return row === null ? undefined : toNotice(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading notice ${id} failed`);
    }
  }

  async update(id: number, c: NoticeChanges, now: number): Promise<Notice> {
    try {
      const row = await this.notices.findByPk(id);
      if (row === null) throw new NotFoundError(`no notice ${id}`);
      await row.update({
        ...(c.title === undefined ? {} : { title: c.title }),
        ...(c.text === undefined ? {} : { text: c.text }),
        ...(c.areas === undefined ? {} : { areas: JSON.stringify(c.areas) }),
        ...(c.categoryIds === undefined ? {} : { categoryIds: JSON.stringify(c.categoryIds) }),
        ...(c.validFrom === undefined ? {} : { validFrom: new Date(c.validFrom) }),
        ...(c.validTo === undefined ? {} : { validTo: new Date(c.validTo) }),
        ...(c.status === undefined ? {} : { status: c.status }),
        ...(c.withdrawnAt === undefined ? {} : { withdrawnAt: c.withdrawnAt === null ? null : new Date(c.withdrawnAt) }),
        updatedAt: new Date(now),
      });
      return toNotice(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `updating notice ${id} failed`);
    }
  }

  async listCurrent(now: number): Promise<Notice[]> {
    try {
      const rows = await this.notices.findAll({ where: { validTo: { [Op.gt]: new Date(now) } }, order: [['validFrom', 'DESC'], ['id', 'DESC']], limit: 500 });
      return rows.map(toNotice);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'reading the current notices failed');
    }
  }

  async list(limit: number): Promise<Notice[]> {
    try {
      return (await this.notices.findAll({ order: [['id', 'DESC']], limit })).map(toNotice);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing notices failed');
    }
  }

  /** Stores hits; a hit already stored (same key: a replayed spool write) is left as it is. */
  async addHits(hits: readonly NoticeHit[]): Promise<void> {
    if (hits.length === 0) return;
    try {
      await this.hits.bulkCreate(
        hits.map((h) => ({ hitKey: h.key, noticeId: h.noticeId, callId: h.callId, day: h.day, heardAt: new Date(h.at), pressed: h.pressed })),
        { ignoreDuplicates: true },
      );
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'storing notice hits failed');
    }
  }

  async countsByDay(fromDay: string, toDay: string): Promise<NoticeDayCount[]> {
    try {
      const rows = await this.sequelize.query<{ notice_id: number | string; day: string; heard: number | string; pressed: number | string | null }>(
        `SELECT notice_id, day, COUNT(*) AS heard, SUM(CASE WHEN pressed THEN 1 ELSE 0 END) AS pressed
           FROM notice_hits WHERE day >= :fromDay AND day < :toDay
          GROUP BY notice_id, day ORDER BY day, notice_id`,
        { replacements: { fromDay, toDay }, type: QueryTypes.SELECT },
      );
      return rows.map((r) => ({ noticeId: Number(r.notice_id), day: r.day, heard: Number(r.heard), pressed: Number(r.pressed ?? 0) }));
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'counting notice hits failed');
    }
  }
}

function parseList<T>(text: string, ok: (v: unknown) => v is T, what: string, id: number): T[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new AppError('DATA_CORRUPT', `notice ${id}: ${what} is not JSON`, { cause: err });
  }
  if (!Array.isArray(value) || !value.every(ok)) throw new AppError('DATA_CORRUPT', `notice ${id}: ${what} is not a list`);
  return value;
}

function toNotice(row: NoticeRow): Notice {
  const r = row.get({ plain: true });
  if (r.status !== 'active' && r.status !== 'withdrawn') throw new AppError('DATA_CORRUPT', `notice ${r.id} has an unknown status "${r.status}"`);
  return {
    id: r.id,
    title: r.title,
    text: r.text,
    areas: parseList(r.areas, (v): v is string => typeof v === 'string', 'areas', r.id),
    categoryIds: parseList(r.categoryIds, (v): v is number => typeof v === 'number', 'category_ids', r.id),
    validFrom: r.validFrom.getTime(),
    validTo: r.validTo.getTime(),
    status: r.status,
    createdBy: r.createdBy,
    createdAt: r.createdAt.getTime(),
    updatedAt: r.updatedAt.getTime(),
    withdrawnAt: r.withdrawnAt === null ? null : r.withdrawnAt.getTime(),
  };
}
