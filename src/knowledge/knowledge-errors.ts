import { AppError } from '../shared/app-error.js';

/** The editor saved over an older version of the article than the stored one (409 in api/). */
export class ArticleVersionConflictError extends AppError {
  constructor(id: number, given: number, stored: number) {
    super('VERSION_CONFLICT', `article ${id} has changed (version ${given} given, ${stored} stored): reload it and try again`);
  }
}
