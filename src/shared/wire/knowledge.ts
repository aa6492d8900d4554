/**
 * The knowledge base (知识库) on the wire: `/api/v1/knowledge/*` (api/knowledge.routes.ts). Dependency-free.
 */

/** draft: being written, seen by supervisors only; published: found by agents; archived: kept, not found. */
export const ARTICLE_STATUSES = { draft: '草稿', published: '已发布', archived: '已归档' } as const;
export type ArticleStatus = keyof typeof ARTICLE_STATUSES;

/**
 * article: lasting knowledge (unit duties, policies, permits, public services); notice: a temporary
 * notice (停水, 停电, 供暖, 燃气, 道路封闭) published in advance with its validity: active notices rank first.
 */
export const ARTICLE_KINDS = { article: '知识', notice: '临时公告' } as const;
export type ArticleKind = keyof typeof ARTICLE_KINDS;

/** What a save did, as the history shows it. */
export const REVISION_ACTIONS = { created: '新建', edited: '修改', published: '发布', archived: '归档' } as const;
export type RevisionAction = keyof typeof REVISION_ACTIONS;

/** One article as `GET /knowledge/articles/:id` answers it. */
export interface ArticleJson {
  readonly id: number;
  readonly kind: ArticleKind;
  readonly title: string;
  readonly body: string;
  readonly status: ArticleStatus;
  readonly categoryIds: readonly number[];
  readonly unitIds: readonly number[];
  readonly tags: readonly string[];
  /** ISO instants; null: no bound. */
  readonly validFrom: string | null;
  readonly validTo: string | null;
  /** Optimistic lock: an edit carries the version it was made on. */
  readonly version: number;
  readonly createdBy: number;
  readonly updatedBy: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** An article in a list: without its body. */
export type ArticleSummaryJson = Omit<ArticleJson, 'body'>;

/** `GET /knowledge/articles`. */
export interface ArticleListJson {
  readonly items: readonly ArticleSummaryJson[];
  readonly total: number;
}

/** One result of `GET /knowledge/search`. */
export interface SearchHitJson {
  readonly id: number;
  readonly kind: ArticleKind;
  readonly title: string;
  /** Up to ~120 characters of the body around the first match (… where cut). */
  readonly snippet: string;
  readonly tags: readonly string[];
  readonly categoryIds: readonly number[];
  readonly validTo: string | null;
  /** Query terms the article matched (of `terms` of the answer). */
  readonly matched: number;
  readonly score: number;
}

/** `GET /knowledge/search?q=…`. */
export interface SearchResultJson {
  readonly query: string;
  /** The strings searched for (pairs of characters, single characters, words): highlight them. */
  readonly terms: readonly string[];
  readonly items: readonly SearchHitJson[];
  /** Server time spent, for the curious and the benchmark. */
  readonly tookMs: number;
}

/** One save of an article: the version it made, who, when, what changed, and the article as saved. */
export interface RevisionJson {
  readonly version: number;
  readonly action: RevisionAction;
  /** Field names that differ from the previous version (all on `created`). */
  readonly changed: readonly string[];
  readonly editedBy: number;
  /** The editor's display name (or username); null when the user no longer exists. */
  readonly editedByName: string | null;
  readonly editedAt: string;
  readonly title: string;
  readonly body: string;
  readonly status: ArticleStatus;
  readonly kind: ArticleKind;
  readonly categoryIds: readonly number[];
  readonly unitIds: readonly number[];
  readonly tags: readonly string[];
  readonly validFrom: string | null;
  readonly validTo: string | null;
}

/** `GET /knowledge/articles/:id/history`, newest first. */
export interface RevisionListJson {
  readonly items: readonly RevisionJson[];
}
