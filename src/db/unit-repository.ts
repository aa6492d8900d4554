import { UniqueConstraintError, type Sequelize } from 'sequelize';
import { AppError, NotFoundError, toAppError } from '../shared/app-error.js';
import { UNIT_KINDS, type HandlingUnit, type HandlingUnitPatch, type NewHandlingUnit, type UnitKind, type UnitRepository } from '../tickets/catalog.js';
import { defineUnitModel, type UnitModel, type UnitRow } from './unit.model.js';

/** UnitRepository on `handling_units`; returns plain objects. */
export class SequelizeUnitRepository implements UnitRepository {
  private readonly units: UnitModel;

  constructor(sequelize: Sequelize) {
    this.units = defineUnitModel(sequelize);
  }

  async list(): Promise<HandlingUnit[]> {
    try {
      return (await this.units.findAll({ order: [['id', 'ASC']] })).map(toUnit);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing handling units failed');
    }
  }

  async get(id: number): Promise<HandlingUnit | undefined> {
    try {
      const row = await this.units.findByPk(id);
      return row === null ? undefined : toUnit(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading handling unit ${id} failed`);
    }
  }

  async getByCode(code: string): Promise<HandlingUnit | undefined> {
    try {
      const row = await this.units.findOne({ where: { code } });
      return row === null ? undefined : toUnit(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading handling unit ${code} failed`);
    }
  }

  async create(unit: NewHandlingUnit): Promise<HandlingUnit> {
    try {
      return toUnit(await this.units.create({ ...unit }));
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw new AppError('DUPLICATE', `a handling unit with code ${unit.code} already exists`, { cause: err });
      throw toAppError(err, 'DATABASE_ERROR', `storing handling unit ${unit.code} failed`);
    }
  }

  async update(id: number, patch: HandlingUnitPatch): Promise<HandlingUnit> {
    try {
      const row = await this.units.findByPk(id);
      if (row === null) throw new NotFoundError(`no handling unit ${id}`);
      await row.update({ ...patch });
      return toUnit(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `updating handling unit ${id} failed`);
    }
  }
}

export function toUnit(row: UnitRow): HandlingUnit {
  const r = row.get({ plain: true });
  if (!(r.kind in UNIT_KINDS)) throw new AppError('DATA_CORRUPT', `handling unit ${r.code} has an unknown kind "${r.kind}"`);
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind as UnitKind,
    liaisonName: r.liaisonName,
    liaisonPhone: r.liaisonPhone,
    liaisonSipUri: r.liaisonSipUri,
    active: r.active,
  };
}
