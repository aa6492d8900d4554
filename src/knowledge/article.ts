/**
 * The knowledge base (知识库) as the domain sees it, and the repository it needs (implemented in
 * db/knowledge-repository.ts). Agents answer consultations on the call (直办) from it.
 */

import type { ArticleKind, ArticleStatus, RevisionAction } from '../shared/wire/knowledge.js';
import type { SearchTerms } from './search-terms.js';

export { ARTICLE_KINDS, ARTICLE_STATUSES, REVISION_ACTIONS, type ArticleKind, type ArticleStatus, type RevisionAction } from '../shared/wire/knowledge.js';

/** The fields an editor sets. */
export interface ArticleFields {
  readonly kind: ArticleKind;
  readonly title: string;
  readonly body: string;
  readonly status: ArticleStatus;
  readonly categoryIds: readonly number[];
  readonly unitIds: readonly number[];
  readonly tags: readonly string[];
  readonly validFrom: Date | null;
  readonly validTo: Date | null;
}

export const ARTICLE_FIELD_NAMES: readonly (keyof ArticleFields)[] = ['kind', 'title', 'body', 'status', 'categoryIds', 'unitIds', 'tags', 'validFrom', 'validTo'];

export interface Article extends ArticleFields {
  readonly id: number;
  readonly version: number;
  readonly createdBy: number;
  readonly updatedBy: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** One save: the article as it was saved, by whom, when, and what it changed. */
export interface ArticleRevision extends ArticleFields {
  readonly articleId: number;
  readonly version: number;
  readonly action: RevisionAction;
  readonly changed: readonly string[];
  readonly editedBy: number;
  /** The editor's display name (or username) as the users table has it now; null when the user is gone. */
  readonly editedByName: string | null;
  readonly editedAt: Date;
}

export interface SearchQuery {
  readonly terms: SearchTerms;
  /** Articles linked to any of these categories rank above others with as many matched terms. */
  readonly categoryIds: readonly number[];
  /** Only published articles valid at this instant are found. */
  readonly at: Date;
  readonly limit: number;
}

/** A found article: how many distinct query terms it matched and the summed weight. */
export interface SearchHit {
  readonly article: Article;
  readonly matched: number;
  readonly score: number;
}

export interface ArticleListFilter {
  readonly statuses: readonly ArticleStatus[];
  readonly kind?: ArticleKind | undefined;
  /** Linked to any of these categories. */
  readonly categoryIds?: readonly number[] | undefined;
  /** Valid at this instant (published lists for agents). */
  readonly validAt?: Date | undefined;
  readonly limit: number;
  readonly offset: number;
}

export interface KnowledgeRepository {
  /** Stores the article, its first revision and its index rows in one transaction. */
  create(fields: ArticleFields, terms: ReadonlyMap<number, number>, by: number, at: Date): Promise<Article>;
  /**
   * Replaces the article's fields when its version is still `version` (else VersionConflictError),
   * appends the revision and replaces the index rows, in one transaction.
   */
  update(id: number, version: number, fields: ArticleFields, terms: ReadonlyMap<number, number>, action: RevisionAction, changed: readonly string[], by: number, at: Date): Promise<Article>;
  get(id: number): Promise<Article | undefined>;
  /** The existing ones of these ids. */
  existing(ids: readonly number[]): Promise<number[]>;
  list(filter: ArticleListFilter): Promise<{ items: Article[]; total: number }>;
  history(id: number): Promise<ArticleRevision[]>;
  /** Ranked: active notices first, then most query terms matched, category links, weight, newest. */
  search(query: SearchQuery): Promise<SearchHit[]>;
}
