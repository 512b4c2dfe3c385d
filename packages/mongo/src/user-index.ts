/**
 * The index by user of a MongoStore made with the `userId` option (see README, "Sessions by
 * user"): each document carries its user in one more field, beside connect-mongo's `_id`,
 * `session` and `expires`, which connect-mongo neither reads nor removes.
 */
export const USER_FIELD = 'userId';

/** An ordinary index on the field, so listing, counting and destroying one user's sessions never scan the collection. */
export const USER_INDEX = { key: { [USER_FIELD]: 1 }, name: `${USER_FIELD}_1` } as const;

/** The live documents of `userId` (the expiry is checked in the query, as every read does). */
export function liveOfUser(userId: string, now: Date): Record<string, unknown> {
  return { [USER_FIELD]: userId, expires: { $gt: now } };
}
