import { DataTypes, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Model, type ModelStatic, type Sequelize } from 'sequelize';

/** The article fields as stored (migrations/0014-knowledge-base.ts): lists as JSON text, validity in epoch ms. */
export interface StoredArticleFields {
  kind: string;
  title: string;
  body: string;
  status: string;
  categoryIds: string;
  unitIds: string;
  tags: string;
  /** BIGINT: MySQL may hand it back as a string. */
  validFrom: number | string | null;
  validTo: number | string | null;
}

/** One row of `knowledge_articles`. */
export interface KnowledgeArticleRow extends StoredArticleFields, Model<InferAttributes<KnowledgeArticleRow>, InferCreationAttributes<KnowledgeArticleRow>> {
  id: CreationOptional<number>;
  version: number;
  createdBy: number;
  updatedBy: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One row of `knowledge_article_revisions`. */
export interface KnowledgeRevisionRow extends StoredArticleFields, Model<InferAttributes<KnowledgeRevisionRow>, InferCreationAttributes<KnowledgeRevisionRow>> {
  id: CreationOptional<number>;
  articleId: number;
  version: number;
  action: string;
  /** Comma-separated field names (column `changed`; `Model` has a method of that name). */
  changedFields: string;
  editedBy: number;
  editedAt: Date;
}

export type KnowledgeArticleModel = ModelStatic<KnowledgeArticleRow>;
export type KnowledgeRevisionModel = ModelStatic<KnowledgeRevisionRow>;

const fields = {
  kind: { type: DataTypes.STRING(16), allowNull: false },
  title: { type: DataTypes.STRING(200), allowNull: false },
  body: { type: DataTypes.TEXT, allowNull: false },
  status: { type: DataTypes.STRING(16), allowNull: false },
  categoryIds: { type: DataTypes.TEXT, allowNull: false, field: 'category_ids' },
  unitIds: { type: DataTypes.TEXT, allowNull: false, field: 'unit_ids' },
  tags: { type: DataTypes.TEXT, allowNull: false },
  validFrom: { type: DataTypes.BIGINT, allowNull: true, field: 'valid_from' },
  validTo: { type: DataTypes.BIGINT, allowNull: true, field: 'valid_to' },
} as const;

/** Defines the models on this Sequelize instance, or returns the ones already defined there. */
export function defineKnowledgeModels(sequelize: Sequelize): { articles: KnowledgeArticleModel; revisions: KnowledgeRevisionModel } {
  if (sequelize.isDefined('KnowledgeArticle')) {
    return { articles: sequelize.model('KnowledgeArticle') as KnowledgeArticleModel, revisions: sequelize.model('KnowledgeRevision') as KnowledgeRevisionModel };
  }
  const articles = sequelize.define<KnowledgeArticleRow>(
    'KnowledgeArticle',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      ...fields,
      version: { type: DataTypes.INTEGER, allowNull: false },
      createdBy: { type: DataTypes.INTEGER, allowNull: false, field: 'created_by' },
      updatedBy: { type: DataTypes.INTEGER, allowNull: false, field: 'updated_by' },
      createdAt: { type: DataTypes.DATE(3), allowNull: false, field: 'created_at' },
      updatedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'updated_at' },
    },
    // Times come from the service's clock, not from Sequelize.
    { tableName: 'knowledge_articles', timestamps: false },
  );
  const revisions = sequelize.define<KnowledgeRevisionRow>(
    'KnowledgeRevision',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      articleId: { type: DataTypes.INTEGER, allowNull: false, field: 'article_id' },
      version: { type: DataTypes.INTEGER, allowNull: false },
      action: { type: DataTypes.STRING(16), allowNull: false },
      changedFields: { type: DataTypes.STRING(255), allowNull: false, field: 'changed' },
      editedBy: { type: DataTypes.INTEGER, allowNull: false, field: 'edited_by' },
      editedAt: { type: DataTypes.DATE(3), allowNull: false, field: 'edited_at' },
      ...fields,
    },
    { tableName: 'knowledge_article_revisions', timestamps: false },
  );
  return { articles, revisions };
}
