import { opened, type GradedStore } from '../types';
import { connectStyleStore } from './express-session';

type ConnectMemcached = new (options: { hosts: string[]; prefix: string }) => object & { client: { end(): void } };

export const connectMemcached: GradedStore = {
  id: 'connect-memcached',
  title: 'connect-memcached',
  ours: false,
  packages: ['connect-memcached', 'memcached'],
  backend: 'memcached',
  namespace: 'key prefix `<namespace>:`',
  // memcached expires in whole seconds.
  capabilities: () => ({ ttlGranularityMs: 1000, persistent: false }),
  factory:
    (server) =>
    ({ namespace }) => {
      const MemcachedStore = connectStyleStore<ConnectMemcached>('connect-memcached');
      const store = new MemcachedStore({ hosts: server.url.split(','), prefix: `${namespace}:` });
      return opened(store, () => store.client.end());
    },
};
