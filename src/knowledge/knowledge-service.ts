import type { Logger } from '../logging/logger.js';
import { NotFoundError, ValidationError } from '../shared/app-error.js';
import type { Clock } from '../shared/clock.js';
import type { CategoryRepository, UnitRepository } from '../tickets/catalog.js';
import {
  ARTICLE_FIELD_NAMES,
  type Article,
  type ArticleFields,
  type ArticleListFilter,
  type ArticleRevision,
  type ArticleStatus,
  type KnowledgeRepository,
  type RevisionAction,
  type SearchHit,
} from './article.js';
import { checked, parseArticleCreate, parseArticleEdit, parseVersion } from './article-input.js';
import { indexTerms, isEmptyQuery, queryTerms, type SearchTerms } from './search-terms.js';
import { snippetOf } from './snippet.js';

export const SEARCH_MAX_LIMIT = 50;
export const LIST_MAX_LIMIT = 200;
/** Longest query searched: a pasted paragraph is cut here (and only its first terms count anyway). */
export const QUERY_MAX_CHARS = 100;

/** Roles that write the knowledge base and see drafts and archived articles. */
export const EDITOR_ROLES: readonly string[] = ['supervisor', 'admin'];

export interface KnowledgeViewer {
  readonly id: number;
  readonly role: string;
}

export interface KnowledgeServiceDeps {
  readonly articles: KnowledgeRepository;
  readonly categories: Pick<CategoryRepository, 'get' | 'lineage'>;
  readonly units: Pick<UnitRepository, 'get'>;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface FoundArticle extends SearchHit {
  readonly snippet: string;
}

export interface SearchResult {
  readonly query: string;
  readonly terms: SearchTerms;
  readonly items: readonly FoundArticle[];
}

/**
 * The knowledge base (知识库): supervisors write articles and temporary notices with a history of
 * every save; everyone signed in searches the published ones valid now (agents answer on the call
 * from them, 直办). Search: search-terms.ts.
 */
export class KnowledgeService {
  constructor(private readonly deps: KnowledgeServiceDeps) {}

  async create(input: unknown, by: KnowledgeViewer): Promise<Article> {
    const fields = parseArticleCreate(input);
    await this.checkLinks(fields);
    const article = await this.deps.articles.create(fields, indexTerms(fields), by.id, this.now());
    this.deps.logger.info('knowledge article created', { articleId: article.id, status: article.status, userId: by.id });
    return article;
  }

  /** An edit (`{version, …fields}`): only the fields given change; a status change is the revision's action. */
  async edit(id: number, input: unknown, by: KnowledgeViewer): Promise<Article> {
    const edit = parseArticleEdit(input);
    const current = await this.mustGet(id);
    const { version, ...given } = edit;
    const fields = checked({ ...fieldsOf(current), ...definedOnly(given) });
    await this.checkLinks(fields);
    const changed = changedFields(current, fields);
    const action: RevisionAction = fields.status !== current.status && fields.status !== 'draft' ? fields.status : 'edited';
    const article = await this.deps.articles.update(id, version, fields, indexTerms(fields), action, changed, by.id, this.now());
    this.deps.logger.info('knowledge article saved', { articleId: id, version: article.version, action, changed, userId: by.id });
    return article;
  }

  /** Archived: kept with its history, no longer found. */
  async archive(id: number, input: unknown, by: KnowledgeViewer): Promise<Article> {
    const version = parseVersion(input);
    const current = await this.mustGet(id);
    const fields: ArticleFields = { ...fieldsOf(current), status: 'archived' };
    return this.deps.articles.update(id, version, fields, indexTerms(fields), 'archived', changedFields(current, fields), by.id, this.now());
  }

  /** One article; a draft or archived one only for editors (others get 404, as for a missing one). */
  async get(id: number, viewer: KnowledgeViewer): Promise<Article> {
    const article = await this.mustGet(id);
    if (article.status !== 'published' && !EDITOR_ROLES.includes(viewer.role)) throw new NotFoundError(`no article ${id}`);
    return article;
  }

  async history(id: number): Promise<ArticleRevision[]> {
    await this.mustGet(id);
    return this.deps.articles.history(id);
  }

  /**
   * Editors list any statuses (default all); others the published articles valid now.
   * `categoryId` lists articles linked to that category or one of its ancestors.
   */
  async list(filter: { statuses?: readonly ArticleStatus[]; kind?: Article['kind']; categoryId?: number; limit: number; offset: number }, viewer: KnowledgeViewer): Promise<{ items: Article[]; total: number }> {
    checkLimit(filter.limit, LIST_MAX_LIMIT);
    const editor = EDITOR_ROLES.includes(viewer.role);
    const statuses = editor ? (filter.statuses ?? ['draft', 'published', 'archived']) : (['published'] as const);
    const query: ArticleListFilter = {
      statuses,
      kind: filter.kind,
      categoryIds: filter.categoryId === undefined ? undefined : await this.lineageIds(filter.categoryId),
      validAt: editor ? undefined : this.now(),
      limit: filter.limit,
      offset: filter.offset,
    };
    return this.deps.articles.list(query);
  }

  /**
   * Published articles valid now matching `q`, ranked: active notices first, then the most query
   * terms matched, then (with `categoryId`, the order's category) articles linked to the category or
   * its ancestors, then the summed weight (title > tag > body), then the newest.
   */
  async search(q: string, options: { categoryId?: number | undefined; limit: number }): Promise<SearchResult> {
    checkLimit(options.limit, SEARCH_MAX_LIMIT);
    const query = Array.from(q.trim()).slice(0, QUERY_MAX_CHARS).join('');
    const terms = queryTerms(query);
    if (isEmptyQuery(terms)) return { query, terms, items: [] };
    const categoryIds = options.categoryId === undefined ? [] : await this.lineageIds(options.categoryId);
    const hits = await this.deps.articles.search({ terms, categoryIds, at: this.now(), limit: options.limit });
    return { query, terms, items: hits.map((h) => ({ ...h, snippet: snippetOf(h.article.body, terms.needles) })) };
  }

  /** The ids among `ids` that name no article (for the work-order form's link). */
  async missing(ids: readonly number[]): Promise<number[]> {
    const found = new Set(await this.deps.articles.existing(ids));
    return ids.filter((id) => !found.has(id));
  }

  private async mustGet(id: number): Promise<Article> {
    const article = await this.deps.articles.get(id);
    if (article === undefined) throw new NotFoundError(`no article ${id}`);
    return article;
  }

  private async lineageIds(categoryId: number): Promise<number[]> {
    return (await this.deps.categories.lineage(categoryId)).map((c) => c.id);
  }

  /** Links must name existing categories and units: 400 naming the first unknown one. */
  private async checkLinks(fields: ArticleFields): Promise<void> {
    const issues: { path: string; message: string }[] = [];
    for (const [i, id] of fields.categoryIds.entries()) {
      if ((await this.deps.categories.get(id)) === undefined) issues.push({ path: `categoryIds.${i}`, message: `names no category (${id})` });
    }
    for (const [i, id] of fields.unitIds.entries()) {
      if ((await this.deps.units.get(id)) === undefined) issues.push({ path: `unitIds.${i}`, message: `names no handling unit (${id})` });
    }
    if (issues.length > 0) throw new ValidationError(`invalid article: ${issues.map((x) => `${x.path} ${x.message}`).join('; ')}`, issues);
  }

  private now(): Date {
    return new Date(this.deps.clock.now());
  }
}

function fieldsOf(a: Article): ArticleFields {
  return { kind: a.kind, title: a.title, body: a.body, status: a.status, categoryIds: a.categoryIds, unitIds: a.unitIds, tags: a.tags, validFrom: a.validFrom, validTo: a.validTo };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The names of the fields whose values differ (lists compared in order, dates by instant). */
export function changedFields(before: ArticleFields, after: ArticleFields): string[] {
  return ARTICLE_FIELD_NAMES.filter((name) => comparable(before[name]) !== comparable(after[name]));
}

function comparable(value: ArticleFields[keyof ArticleFields]): string {
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

function checkLimit(limit: number, max: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > max) throw new ValidationError(`limit must be 1 to ${max}`, [{ path: 'limit', message: `must be 1 to ${max}` }]);
}
