import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One row of `handling_units` (migrations/0004-create-tickets.ts). */
export interface UnitRow extends Model<InferAttributes<UnitRow>, InferCreationAttributes<UnitRow>> {
  id: CreationOptional<number>;
  code: string;
  name: string;
  kind: string;
  liaisonName: string;
  liaisonPhone: string;
  liaisonSipUri: string | null;
  active: boolean;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
}

export type UnitModel = ModelStatic<UnitRow>;

/** Defines the model on this Sequelize instance, or returns the one already defined there. */
export function defineUnitModel(sequelize: Sequelize): UnitModel {
  if (sequelize.isDefined('HandlingUnit')) return sequelize.model('HandlingUnit') as UnitModel;
  return sequelize.define<UnitRow>(
    'HandlingUnit',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      code: { type: DataTypes.STRING(32), allowNull: false },
      name: { type: DataTypes.STRING(100), allowNull: false },
      kind: { type: DataTypes.STRING(16), allowNull: false },
      liaisonName: { type: DataTypes.STRING(50), allowNull: false, field: 'liaison_name' },
      liaisonPhone: { type: DataTypes.STRING(20), allowNull: false, field: 'liaison_phone' },
      liaisonSipUri: { type: DataTypes.STRING(255), allowNull: true, field: 'liaison_sip_uri' },
      active: { type: DataTypes.BOOLEAN, allowNull: false },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
    },
    { tableName: 'handling_units', timestamps: true, underscored: true },
  );
}
