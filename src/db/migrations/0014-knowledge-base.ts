import { DataTypes, type QueryInterface } from 'sequelize';

const utf8mb4 = { charset: 'utf8mb4', collate: 'utf8mb4_unicode_ci' };

/** The fields of an article, on the article row and on each of its revisions. */
function articleFields(dialect: string) {
  return {
  kind: { type: DataTypes.STRING(16), allowNull: false },
  title: { type: DataTypes.STRING(200), allowNull: false },
  // 20,000 characters of utf8mb4 exceed TEXT's 64 KB on MySQL.
  body: { type: dialect === 'sqlite' ? DataTypes.TEXT : DataTypes.TEXT('medium'), allowNull: false },
  status: { type: DataTypes.STRING(16), allowNull: false },
  // JSON arrays: shown with the article; the category links are also rows (knowledge_article_categories) to be looked up.
  category_ids: { type: DataTypes.TEXT, allowNull: false },
  unit_ids: { type: DataTypes.TEXT, allowNull: false },
  tags: { type: DataTypes.TEXT, allowNull: false },
  // Epoch milliseconds: compared in the search on every dialect alike (as auth_throttles, 0013).
  valid_from: { type: DataTypes.BIGINT, allowNull: true },
  valid_to: { type: DataTypes.BIGINT, allowNull: true },
  };
}

/**
 * The knowledge base (知识库, issue 12): articles and temporary notices, every save kept as a revision
 * (who, when, which fields), category links, and the search index: one row per (term, article) with
 * its weight (knowledge/search-terms.ts: character pairs of Chinese text, hashed words), looked up by
 * the primary key's term prefix, with the count of articles per term (knowledge_term_stats). SQLite keeps that table WITHOUT ROWID so the primary key is the
 * table (as InnoDB's clustered index is): a lookup by term reads no second b-tree.
 */
export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const dialect = qi.sequelize.getDialect();
  await qi.createTable(
    'knowledge_articles',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      ...articleFields(dialect),
      version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
      created_by: { type: DataTypes.INTEGER, allowNull: false },
      updated_by: { type: DataTypes.INTEGER, allowNull: false },
      created_at: { type: DataTypes.DATE(3), allowNull: false },
      updated_at: { type: DataTypes.DATE(3), allowNull: false },
    },
    utf8mb4,
  );
  await qi.addIndex('knowledge_articles', ['status', 'kind', 'updated_at'], { name: 'knowledge_articles_status_kind' });

  await qi.createTable(
    'knowledge_article_revisions',
    {
      id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, autoIncrement: true },
      article_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'knowledge_articles', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
      version: { type: DataTypes.INTEGER, allowNull: false },
      action: { type: DataTypes.STRING(16), allowNull: false },
      changed: { type: DataTypes.STRING(255), allowNull: false },
      edited_by: { type: DataTypes.INTEGER, allowNull: false },
      edited_at: { type: DataTypes.DATE(3), allowNull: false },
      ...articleFields(dialect),
    },
    utf8mb4,
  );
  await qi.addIndex('knowledge_article_revisions', ['article_id', 'version'], { name: 'knowledge_revisions_article_version', unique: true });

  await qi.createTable(
    'knowledge_article_categories',
    {
      category_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'categories', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
      article_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'knowledge_articles', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
    },
    utf8mb4,
  );
  await qi.addIndex('knowledge_article_categories', ['article_id'], { name: 'knowledge_article_categories_article' });

  if (dialect === 'sqlite') {
    await qi.sequelize.query(
      'CREATE TABLE knowledge_terms (term BIGINT NOT NULL, article_id INTEGER NOT NULL REFERENCES knowledge_articles (id) ON DELETE RESTRICT ON UPDATE CASCADE, weight SMALLINT NOT NULL, PRIMARY KEY (term, article_id)) WITHOUT ROWID',
    );
  } else {
    await qi.createTable(
      'knowledge_terms',
      {
        term: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
        article_id: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true, references: { model: 'knowledge_articles', key: 'id' }, onDelete: 'RESTRICT', onUpdate: 'CASCADE' },
        weight: { type: DataTypes.SMALLINT, allowNull: false },
      },
      utf8mb4,
    );
  }
  await qi.addIndex('knowledge_terms', ['article_id'], { name: 'knowledge_terms_article' });
  // A common term's best postings first (the search's candidates when every query term is common).
  await qi.addIndex('knowledge_terms', ['term', 'weight'], { name: 'knowledge_terms_term_weight' });
  // How many articles hold each term: the search starts from its rarest terms (knowledge-repository.ts).
  await qi.createTable('knowledge_term_stats', {
    term: { type: DataTypes.BIGINT, allowNull: false, primaryKey: true },
    df: { type: DataTypes.INTEGER, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable('knowledge_term_stats');
  await qi.dropTable('knowledge_terms');
  await qi.dropTable('knowledge_article_categories');
  await qi.dropTable('knowledge_article_revisions');
  await qi.dropTable('knowledge_articles');
}
