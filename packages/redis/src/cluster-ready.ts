import type { Cluster } from 'ioredis';

/**
 * Resolves when the Cluster client is ready (it knows the slot map), rejects if it ends first.
 * Nodes are only listed, and with the offline queue off commands only accepted, once it is.
 */
export function untilClusterReady(cluster: Cluster): Promise<void> {
  if (cluster.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const ready = () => {
      cluster.off('end', ended);
      resolve();
    };
    const ended = () => {
      cluster.off('ready', ready);
      reject(new Error('the Cluster client has ended'));
    };
    cluster.once('ready', ready);
    cluster.once('end', ended);
    // A lazyConnect cluster connects on its first command; SCAN goes to nodes directly, so start it.
    if (cluster.status === 'wait') cluster.connect().catch(() => {});
  });
}
