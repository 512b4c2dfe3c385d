/**
 * A mistake in what the user asked for (a bad URL, an option that does not apply, a store that
 * is not installed): the command prints its message alone, without a stack, and exits with 2.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
