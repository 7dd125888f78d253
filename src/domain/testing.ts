/** For the domain's unit tests: the AppError a rule throws, or a failure if it throws none. */
import { AppError } from './errors.ts';

export function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}
