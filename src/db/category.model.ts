import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** One row of `categories` (migrations/0004-create-tickets.ts). */
export interface CategoryRow extends Model<InferAttributes<CategoryRow>, InferCreationAttributes<CategoryRow>> {
  id: CreationOptional<number>;
  parentId: number | null;
  code: string;
  name: string;
  level: number;
  defaultUnitId: number | null;
  replyDays: number | null;
  replyHours: number | null;
  signDays: number | null;
  active: boolean;
  createdAt: CreationOptional<Date>;
  updatedAt: CreationOptional<Date>;
}

export type CategoryModel = ModelStatic<CategoryRow>;

/** Defines the model on this Sequelize instance, or returns the one already defined there. */
export function defineCategoryModel(sequelize: Sequelize): CategoryModel {
  if (sequelize.isDefined('Category')) return sequelize.model('Category') as CategoryModel;
  return sequelize.define<CategoryRow>(
    'Category',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      parentId: { type: DataTypes.INTEGER, allowNull: true, field: 'parent_id' },
      code: { type: DataTypes.STRING(32), allowNull: false },
      name: { type: DataTypes.STRING(100), allowNull: false },
      level: { type: DataTypes.INTEGER, allowNull: false },
      defaultUnitId: { type: DataTypes.INTEGER, allowNull: true, field: 'default_unit_id' },
      replyDays: { type: DataTypes.INTEGER, allowNull: true, field: 'reply_days' },
      replyHours: { type: DataTypes.INTEGER, allowNull: true, field: 'reply_hours' },
      signDays: { type: DataTypes.INTEGER, allowNull: true, field: 'sign_days' },
      active: { type: DataTypes.BOOLEAN, allowNull: false },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
    },
    { tableName: 'categories', timestamps: true, underscored: true },
  );
}
