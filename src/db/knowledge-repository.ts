import { Op, QueryTypes, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import { ARTICLE_FIELD_NAMES, type Article, type ArticleFields, type ArticleKind, type ArticleListFilter, type ArticleRevision, type ArticleStatus, type KnowledgeRepository, type RevisionAction, type SearchHit, type SearchQuery } from '../knowledge/article.js';
import { ArticleVersionConflictError } from '../knowledge/knowledge-errors.js';
import { NotFoundError, toAppError } from '../shared/app-error.js';
import { defineKnowledgeModels, type KnowledgeArticleModel, type KnowledgeArticleRow, type KnowledgeRevisionModel, type KnowledgeRevisionRow, type StoredArticleFields } from './knowledge-article.model.js';
import { ticketTransaction } from './ticket-transaction.js';

/** Index rows per INSERT statement. */
const TERM_CHUNK = 500;
/** Postings read to find the articles worth scoring, at most (see candidates()). */
export const CANDIDATE_BUDGET = 600;

interface HitRow {
  article_id: number | string;
  matched: number | string;
  score: number | string;
}

/**
 * KnowledgeRepository on `knowledge_*` (migrations/0014-knowledge-base.ts); returns plain objects.
 * The search (search()): candidates from the query's rarest terms, those published and valid now,
 * then one aggregate over their postings of the query's terms (knowledge/search-terms.ts); the same
 * SQL on SQLite and MariaDB.
 */
export class SequelizeKnowledgeRepository implements KnowledgeRepository {
  private readonly articles: KnowledgeArticleModel;
  private readonly revisions: KnowledgeRevisionModel;

  constructor(private readonly sequelize: Sequelize) {
    ({ articles: this.articles, revisions: this.revisions } = defineKnowledgeModels(sequelize));
  }

  async create(fields: ArticleFields, terms: ReadonlyMap<number, number>, by: number, at: Date): Promise<Article> {
    try {
      return await ticketTransaction(this.sequelize, async (transaction) => {
        const row = await this.articles.create({ ...stored(fields), version: 1, createdBy: by, updatedBy: by, createdAt: at, updatedAt: at }, { transaction });
        await this.revisions.create({ ...stored(fields), articleId: row.id, version: 1, action: 'created', changedFields: ARTICLE_FIELD_NAMES.join(','), editedBy: by, editedAt: at }, { transaction });
        await this.replaceLinks(row.id, fields.categoryIds, terms, transaction);
        return toArticle(row);
      });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'storing the article failed');
    }
  }

  async update(id: number, version: number, fields: ArticleFields, terms: ReadonlyMap<number, number>, action: RevisionAction, changed: readonly string[], by: number, at: Date): Promise<Article> {
    try {
      return await ticketTransaction(this.sequelize, async (transaction) => {
        const [count] = await this.articles.update({ ...stored(fields), version: version + 1, updatedBy: by, updatedAt: at }, { where: { id, version }, transaction });
        if (count === 0) {
          const current = await this.articles.findByPk(id, { transaction });
          if (current === null) throw new NotFoundError(`no article ${id}`);
          throw new ArticleVersionConflictError(id, version, current.version);
        }
        await this.revisions.create({ ...stored(fields), articleId: id, version: version + 1, action, changedFields: changed.join(',').slice(0, 255), editedBy: by, editedAt: at }, { transaction });
        await this.replaceLinks(id, fields.categoryIds, terms, transaction);
        const row = await this.articles.findByPk(id, { transaction });
        if (row === null) throw new NotFoundError(`no article ${id}`);
        return toArticle(row);
      });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `saving article ${id} failed`);
    }
  }

  async get(id: number): Promise<Article | undefined> {
    try {
      const row = await this.articles.findByPk(id);
      return row === null ? undefined : toArticle(row);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading article ${id} failed`);
    }
  }

  async existing(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    try {
      const rows = await this.articles.findAll({ attributes: ['id'], where: { id: { [Op.in]: [...ids] } } });
      return rows.map((r) => r.id);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'reading articles failed');
    }
  }

  async list(filter: ArticleListFilter): Promise<{ items: Article[]; total: number }> {
    const where: WhereOptions[] = [{ status: { [Op.in]: [...filter.statuses] } }];
    if (filter.kind !== undefined) where.push({ kind: filter.kind });
    if (filter.validAt !== undefined) {
      const at = filter.validAt.getTime();
      where.push({ [Op.or]: [{ validFrom: null }, { validFrom: { [Op.lte]: at } }] }, { [Op.or]: [{ validTo: null }, { validTo: { [Op.gt]: at } }] });
    }
    if (filter.categoryIds !== undefined) {
      const ids = filter.categoryIds.filter((id) => Number.isSafeInteger(id));
      if (ids.length === 0) return { items: [], total: 0 };
      where.push({ id: { [Op.in]: this.sequelize.literal(`(SELECT article_id FROM knowledge_article_categories WHERE category_id IN (${ids.join(',')}))`) } });
    }
    try {
      const { rows, count } = await this.articles.findAndCountAll({
        where: { [Op.and]: where },
        order: [
          ['updatedAt', 'DESC'],
          ['id', 'DESC'],
        ],
        limit: filter.limit,
        offset: filter.offset,
      });
      return { items: rows.map(toArticle), total: count };
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'listing articles failed');
    }
  }

  async history(id: number): Promise<ArticleRevision[]> {
    try {
      const rows = await this.revisions.findAll({ where: { articleId: id }, order: [['version', 'DESC']] });
      const editors = [...new Set(rows.map((r) => r.editedBy))];
      const names = new Map<number, string>();
      if (editors.length > 0) {
        const users = await this.sequelize.query<{ id: number | string; display_name: string | null; username: string }>('SELECT id, display_name, username FROM users WHERE id IN (:editors)', {
          type: QueryTypes.SELECT,
          replacements: { editors },
        });
        for (const u of users) names.set(Number(u.id), u.display_name !== null && u.display_name !== '' ? u.display_name : u.username);
      }
      return rows.map((r) => toRevision(r, names.get(r.editedBy) ?? null));
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', `reading the history of article ${id} failed`);
    }
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const { exact, ranges } = query.terms;
    if (exact.length === 0 && ranges.length === 0) return [];
    const at = query.at.getTime();
    let candidates: Map<number, boolean>;
    try {
      candidates = await this.candidates(exact, ranges, at);
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'searching the knowledge base failed');
    }
    if (candidates.size === 0) return [];
    const eligible = [...candidates].map(([id, notice]) => ({ id, notice }));
    const notices = eligible.filter((e) => e.notice).map((e) => e.id);
    const replacements: Record<string, unknown> = { limit: query.limit, eligible: eligible.map((e) => e.id), notices: notices.length > 0 ? notices : [0] };
    const termMatch: string[] = [];
    // A single character's range counts once however many of its pairs an article has.
    const bucket: string[] = [];
    if (exact.length > 0) {
      termMatch.push('t.term IN (:exact)');
      replacements.exact = [...exact];
    }
    ranges.forEach(([lo, hi], i) => {
      termMatch.push(`t.term BETWEEN :lo${i} AND :hi${i}`);
      bucket.push(`WHEN t.term BETWEEN :lo${i} AND :hi${i} THEN ${-(i + 1)}`);
      replacements[`lo${i}`] = lo;
      replacements[`hi${i}`] = hi;
    });
    const distinctTerm = bucket.length === 0 ? 't.term' : `CASE ${bucket.join(' ')} ELSE t.term END`;
    // (A bare constant in ORDER BY would name a column by position: the term is left out instead.)
    let categoryHit = '';
    if (query.categoryIds.length > 0) {
      categoryHit = ' CASE WHEN EXISTS (SELECT 1 FROM knowledge_article_categories c WHERE c.article_id = s.article_id AND c.category_id IN (:categoryIds)) THEN 1 ELSE 0 END DESC,';
      replacements.categoryIds = [...query.categoryIds];
    }
    const sql = `SELECT s.article_id, s.matched, s.score
FROM (
  SELECT t.article_id, COUNT(DISTINCT ${distinctTerm}) AS matched, SUM(t.weight) AS score,
    MAX(CASE WHEN t.article_id IN (:notices) THEN 1 ELSE 0 END) AS pinned
  FROM knowledge_terms t
  WHERE (${termMatch.join(' OR ')})
    AND t.article_id IN (:eligible)
  GROUP BY t.article_id
) s
ORDER BY s.pinned DESC, s.matched DESC,${categoryHit} s.score DESC, s.article_id DESC
LIMIT :limit`;
    try {
      const hits = await this.sequelize.query<HitRow>(sql, { type: QueryTypes.SELECT, replacements });
      if (hits.length === 0) return [];
      const rows = await this.articles.findAll({ where: { id: { [Op.in]: hits.map((h) => Number(h.article_id)) } } });
      const byId = new Map(rows.map((r) => [r.id, toArticle(r)]));
      return hits.flatMap((h) => {
        const article = byId.get(Number(h.article_id));
        return article === undefined ? [] : [{ article, matched: Number(h.matched), score: Number(h.score) }];
      });
    } catch (err) {
      throw toAppError(err, 'DATABASE_ERROR', 'searching the knowledge base failed');
    }
  }

  /**
   * The articles worth scoring (published and valid at `at`; true for a notice), so that a search reads a bounded number of postings however common
   * its words: the query's terms are taken rarest first (knowledge_term_stats) while their postings
   * total at most CANDIDATE_BUDGET; when even the rarest is commoner than that, its CANDIDATE_BUDGET
   * heaviest postings (title and tag hits first). An article matching every query term holds the
   * rarest one, so whenever that term fits the budget the best-matching articles are all candidates;
   * articles holding only common terms of the query may be missed, and they rank lowest anyway.
   * Single characters (ranges) seed the candidates only when no pair or word of the query occurs:
   * the first CANDIDATE_BUDGET postings of each range.
   */
  private async candidates(exact: readonly number[], ranges: readonly (readonly [number, number])[], at: number): Promise<Map<number, boolean>> {
    const ids = new Map<number, boolean>();
    const add = (rows: readonly { article_id: number | string; kind: string }[]): void => {
      for (const r of rows) ids.set(Number(r.article_id), r.kind === 'notice');
    };
    // Published and valid now; the kind says which are notices (ranked first).
    const live = "JOIN knowledge_articles a ON a.id = t.article_id AND a.status = 'published' AND (a.valid_from IS NULL OR a.valid_from <= :at) AND (a.valid_to IS NULL OR a.valid_to > :at)";
    type Row = { article_id: number | string; kind: string };
    if (exact.length > 0) {
      const stats = await this.sequelize.query<{ term: number | string; df: number | string }>('SELECT term, df FROM knowledge_term_stats WHERE term IN (:exact) AND df > 0', {
        type: QueryTypes.SELECT,
        replacements: { exact: [...exact] },
      });
      const known = stats.map((r) => ({ term: Number(r.term), df: Number(r.df) })).sort((a, b) => a.df - b.df);
      const seeds: number[] = [];
      let total = 0;
      for (const { term, df } of known) {
        if (seeds.length > 0 && total + df > CANDIDATE_BUDGET) break;
        seeds.push(term);
        total += df;
      }
      if (seeds.length > 0) {
        const sql =
          total <= CANDIDATE_BUDGET
            ? `SELECT t.article_id, a.kind FROM knowledge_terms t ${live} WHERE t.term IN (:seeds)`
            : // The heaviest postings first, read from the (term, weight) index alone and joined after:
              // with the join inside, MariaDB sorted every posting of the term (a common one: most articles).
              `SELECT t.article_id, a.kind FROM (SELECT article_id FROM knowledge_terms WHERE term IN (:seeds) ORDER BY weight DESC, article_id DESC LIMIT :budget) t ${live}`;
        add(await this.sequelize.query<Row>(sql, { type: QueryTypes.SELECT, replacements: { seeds, budget: CANDIDATE_BUDGET, at } }));
        return ids;
      }
    }
    for (const [lo, hi] of ranges) {
      add(
        await this.sequelize.query<Row>(`SELECT t.article_id, a.kind FROM (SELECT article_id FROM knowledge_terms WHERE term BETWEEN :lo AND :hi LIMIT :budget) t ${live}`, {
          type: QueryTypes.SELECT,
          replacements: { lo, hi, budget: CANDIDATE_BUDGET, at },
        }),
      );
    }
    return ids;
  }

  /** The article's category link rows and index rows, replaced whole; the per-term article counts follow. */
  private async replaceLinks(id: number, categoryIds: readonly number[], terms: ReadonlyMap<number, number>, transaction: Transaction): Promise<void> {
    await this.sequelize.query('DELETE FROM knowledge_article_categories WHERE article_id = :id', { replacements: { id }, transaction });
    if (categoryIds.length > 0) {
      await this.sequelize.query(`INSERT INTO knowledge_article_categories (category_id, article_id) VALUES ${categoryIds.map(() => '(?, ?)').join(', ')}`, {
        replacements: categoryIds.flatMap((c) => [c, id]),
        transaction,
      });
    }
    const old = await this.sequelize.query<{ term: number | string }>('SELECT term FROM knowledge_terms WHERE article_id = :id', { type: QueryTypes.SELECT, replacements: { id }, transaction });
    const oldTerms = new Set(old.map((r) => Number(r.term)));
    await this.sequelize.query('DELETE FROM knowledge_terms WHERE article_id = :id', { replacements: { id }, transaction });
    await insertTerms(this.sequelize, id, terms, transaction);
    const gone = [...oldTerms].filter((t) => !terms.has(t));
    for (let i = 0; i < gone.length; i += TERM_CHUNK) {
      await this.sequelize.query('UPDATE knowledge_term_stats SET df = df - 1 WHERE term IN (:terms)', { replacements: { terms: gone.slice(i, i + TERM_CHUNK) }, transaction });
    }
    await addTermCounts(this.sequelize, new Map([...terms.keys()].filter((t) => !oldTerms.has(t)).map((t) => [t, 1])), transaction);
  }
}

/** Index rows of one article, TERM_CHUNK per statement (the values are our own numbers, checked). */
export async function insertTerms(sequelize: Sequelize, articleId: number, terms: ReadonlyMap<number, number>, transaction?: Transaction): Promise<void> {
  const rows = [...terms].map(([term, weight]) => {
    if (!Number.isSafeInteger(term) || !Number.isSafeInteger(weight) || !Number.isSafeInteger(articleId)) throw new RangeError(`bad index row ${term}/${weight}`);
    return `(${term}, ${articleId}, ${Math.min(weight, 32_767)})`;
  });
  for (let i = 0; i < rows.length; i += TERM_CHUNK) {
    await sequelize.query(`INSERT INTO knowledge_terms (term, article_id, weight) VALUES ${rows.slice(i, i + TERM_CHUNK).join(', ')}`, transaction === undefined ? {} : { transaction });
  }
}

/** Adds `counts` to the per-term article counts (knowledge_term_stats), inserting new terms. */
export async function addTermCounts(sequelize: Sequelize, counts: ReadonlyMap<number, number>, transaction?: Transaction): Promise<void> {
  const rows = [...counts].map(([term, n]) => {
    if (!Number.isSafeInteger(term) || !Number.isSafeInteger(n)) throw new RangeError(`bad term count ${term}/${n}`);
    return `(${term}, ${n})`;
  });
  const upsert = sequelize.getDialect() === 'sqlite' ? 'ON CONFLICT (term) DO UPDATE SET df = df + excluded.df' : 'ON DUPLICATE KEY UPDATE df = df + VALUES(df)';
  for (let i = 0; i < rows.length; i += TERM_CHUNK) {
    await sequelize.query(`INSERT INTO knowledge_term_stats (term, df) VALUES ${rows.slice(i, i + TERM_CHUNK).join(', ')} ${upsert}`, transaction === undefined ? {} : { transaction });
  }
}

function stored(fields: ArticleFields): StoredArticleFields {
  return {
    kind: fields.kind,
    title: fields.title,
    body: fields.body,
    status: fields.status,
    categoryIds: JSON.stringify(fields.categoryIds),
    unitIds: JSON.stringify(fields.unitIds),
    tags: JSON.stringify(fields.tags),
    validFrom: fields.validFrom?.getTime() ?? null,
    validTo: fields.validTo?.getTime() ?? null,
  };
}

function fieldsFrom(r: StoredArticleFields): ArticleFields {
  return {
    kind: r.kind as ArticleKind,
    title: r.title,
    body: r.body,
    status: r.status as ArticleStatus,
    categoryIds: numberList(r.categoryIds),
    unitIds: numberList(r.unitIds),
    tags: stringList(r.tags),
    validFrom: r.validFrom === null ? null : new Date(Number(r.validFrom)),
    validTo: r.validTo === null ? null : new Date(Number(r.validTo)),
  };
}

function toArticle(row: KnowledgeArticleRow): Article {
  const r = row.get({ plain: true });
  return { id: r.id, ...fieldsFrom(r), version: r.version, createdBy: r.createdBy, updatedBy: r.updatedBy, createdAt: asDate(r.createdAt), updatedAt: asDate(r.updatedAt) };
}

function toRevision(row: KnowledgeRevisionRow, editedByName: string | null): ArticleRevision {
  const r = row.get({ plain: true });
  return {
    articleId: r.articleId,
    version: r.version,
    action: r.action as RevisionAction,
    changed: r.changedFields === '' ? [] : r.changedFields.split(','),
    editedBy: r.editedBy,
    editedByName,
    editedAt: asDate(r.editedAt),
    ...fieldsFrom(r),
  };
}

function numberList(json: string): number[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((x): x is number => typeof x === 'number') : [];
}

function stringList(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
}

function asDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
