/**
 * Errors that carry meaning: a stable code for programs, a Chinese message for people, and the
 * HTTP status the one error handler answers with. Domain and services throw these; nothing else
 * decides how an error looks to a user.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
