import { describe, expect, it } from 'vitest';
import { newClients, observe } from '../clients';

const user = () => newClients(1)[0]!;

describe('what a soak user expects of its session', () => {
  it('finds a session missing after an acknowledged write', () => {
    const client = user();
    expect(observe(client, 'login', 200, { counter: 0 }, 'connect.sid=a', 1)).toBeNull();
    expect(observe(client, 'write', 200, { counter: 1 }, null, 2)).toBeNull();
    expect(observe(client, 'read', 401, {}, null, 3)).toMatchObject({ kind: 'missing', ackAt: 2 });
    expect(client.state).toBe('out');
  });

  it('finds a session stale when a read or a write sees an older counter than acknowledged', () => {
    const client = user();
    observe(client, 'login', 200, { counter: 0 }, 'connect.sid=a', 1);
    observe(client, 'write', 200, { counter: 1 }, null, 2);
    observe(client, 'write', 200, { counter: 2 }, null, 3);
    expect(observe(client, 'read', 200, { counter: 1 }, null, 4)).toMatchObject({ kind: 'stale' });
    // The write read counter 1 (answered 2) where 2 was acknowledged.
    observe(client, 'write', 200, { counter: 3 }, null, 5);
    expect(observe(client, 'write', 200, { counter: 3 }, null, 6)).toMatchObject({ kind: 'stale' });
  });

  it('counts nothing after a call whose outcome is unknown, and learns the state from the next answer', () => {
    const client = user();
    observe(client, 'login', 200, { counter: 0 }, 'connect.sid=a', 1);
    observe(client, 'write', 200, { counter: 1 }, null, 2);
    expect(observe(client, 'logout', 503, {}, null, 3)).toBeNull();
    expect(client.state).toBe('unsure');
    expect(observe(client, 'read', 401, {}, null, 4)).toBeNull();
    observe(client, 'login', 200, { counter: 0 }, 'connect.sid=b', 5);
    expect(observe(client, 'write', 0, {}, null, 6)).toBeNull();
    // The failed write landed after all: not a loss, and the counter is taken from the answer.
    expect(observe(client, 'read', 200, { counter: 1 }, null, 7)).toBeNull();
    expect(client).toMatchObject({ state: 'in', counter: 1 });
  });

  it('keeps the new cookie of a regenerate, and forgets the cookie on logout', () => {
    const client = user();
    observe(client, 'login', 200, { counter: 0 }, 'connect.sid=a', 1);
    observe(client, 'regenerate', 200, { counter: 0 }, 'connect.sid=b', 2);
    expect(client.cookie).toBe('connect.sid=b');
    observe(client, 'logout', 200, {}, null, 3);
    expect(client).toMatchObject({ state: 'out', cookie: null });
  });
});
