import type * as TestcontainersModule from 'testcontainers';
import type { StartedTestContainer, WaitStrategy } from 'testcontainers';
import { formatHostPort, isLoopbackHost } from './endpoints';
import { remoteAllowed, startTimeoutMs } from './env';
import { ProviderUnavailableError } from './errors';
import { freePorts, mentionsAddressInUse } from './free-port';
import { pollUntil } from './poll';
import type { BackendName, HarnessServer, HostPort } from './types';

type Testcontainers = typeof TestcontainersModule;

export type ContainerRuntimeStatus = { available: true } | { available: false; reason: string };

let runtimeStatus: Promise<ContainerRuntimeStatus> | undefined;

// testcontainers is loaded on first use only: it pulls in the Docker client, which a run that
// uses URLs or local servers does not need.
async function loadTestcontainers(): Promise<Testcontainers> {
  const module = await import('testcontainers');
  return ((module as { default?: Testcontainers }).default ?? module) as Testcontainers;
}

/**
 * Whether a container runtime (Docker, Podman, ...) answers. Asked once per process: without
 * one, testcontainers rejects within milliseconds, and the answer does not change during a run.
 */
export function containerRuntimeStatus(): Promise<ContainerRuntimeStatus> {
  runtimeStatus ??= (async (): Promise<ContainerRuntimeStatus> => {
    try {
      const testcontainers = await loadTestcontainers();
      await testcontainers.getContainerRuntimeClient();
      return { available: true };
    } catch (error) {
      return {
        available: false,
        reason: `no container runtime (${error instanceof Error ? error.message : String(error)})`,
      };
    }
  })();
  return runtimeStatus;
}

export async function requireContainerRuntime(): Promise<Testcontainers> {
  const status = await containerRuntimeStatus();
  if (!status.available) throw new ProviderUnavailableError(status.reason);
  return loadTestcontainers();
}

export interface ContainerNodeSpec {
  image: string;
  containerPort: number;
  environment?: Record<string, string>;
  command?: string[];
  waitStrategy: (testcontainers: Testcontainers) => WaitStrategy;
  /** Whether the server answers at its published address (polled after start and restart). */
  isReady: (address: HostPort) => Promise<boolean>;
}

export interface ContainerServerSpec {
  backend: BackendName;
  nodes: readonly ContainerNodeSpec[];
  url: (nodes: readonly HostPort[]) => string;
  dataSurvivesRestart: boolean;
}

interface RunningNode {
  container: StartedTestContainer;
  address: HostPort;
  spec: ContainerNodeSpec;
}

const ADDRESS_IN_USE_ATTEMPTS = 5;

async function waitUntilReady(node: Omit<RunningNode, 'container'>): Promise<void> {
  await pollUntil(() => node.spec.isReady(node.address), {
    what: `${node.spec.image} at ${formatHostPort(node.address)} to answer`,
    timeoutMs: startTimeoutMs(),
  });
}

/**
 * The host port is chosen here and bound explicitly (not left to Docker), so that the container
 * keeps it when it is stopped and started again.
 */
async function startNode(testcontainers: Testcontainers, spec: ContainerNodeSpec): Promise<RunningNode> {
  for (let attempt = 1; ; attempt += 1) {
    const [hostPort] = await freePorts(1);
    if (hostPort === undefined) throw new Error('no free port');
    let container: StartedTestContainer;
    try {
      let definition = new testcontainers.GenericContainer(spec.image)
        .withExposedPorts({ container: spec.containerPort, host: hostPort })
        .withEnvironment(spec.environment ?? {})
        .withWaitStrategy(spec.waitStrategy(testcontainers))
        .withStartupTimeout(startTimeoutMs());
      if (spec.command) definition = definition.withCommand(spec.command);
      container = await definition.start();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (mentionsAddressInUse(message) && attempt < ADDRESS_IN_USE_ATTEMPTS) continue;
      throw error;
    }
    const host = container.getHost();
    if (!isLoopbackHost(host) && !remoteAllowed()) {
      await container.stop({ remove: true, removeVolumes: true });
      throw new ProviderUnavailableError(
        `the container runtime publishes ports on "${host}", not on a loopback address; set SESSION_STORES_ALLOW_REMOTE=1 to use it`,
      );
    }
    const node = { container, spec, address: { host: isLoopbackHost(host) ? '127.0.0.1' : host, port: hostPort } };
    await waitUntilReady(node);
    return node;
  }
}

/**
 * A server made of containers. stop() stops the containers without removing them, so their
 * file systems (and the data volumes the images declare) survive; start() starts the same
 * containers, on the same host ports, and waits until they answer. dispose() removes them with
 * their volumes. testcontainers' reaper (Ryuk) removes containers left by a crashed run.
 */
export async function startContainerServer(spec: ContainerServerSpec): Promise<HarnessServer> {
  const testcontainers = await requireContainerRuntime();
  const nodes: RunningNode[] = [];
  try {
    for (const nodeSpec of spec.nodes) nodes.push(await startNode(testcontainers, nodeSpec));
  } catch (error) {
    await Promise.all(
      nodes.map((node) => node.container.stop({ remove: true, removeVolumes: true }).catch(() => undefined)),
    );
    throw error;
  }
  const addresses = nodes.map((node) => node.address);
  let disposed = false;
  const lowLevel = async () => {
    const client = await testcontainers.getContainerRuntimeClient();
    return nodes.map((node) => ({ node, client, handle: client.container.getById(node.container.getId()) }));
  };
  return {
    backend: spec.backend,
    provider: 'container',
    url: spec.url(addresses),
    nodes: addresses,
    canRestart: true,
    dataSurvivesRestart: spec.dataSurvivesRestart,
    async stop() {
      for (const { client, handle } of await lowLevel()) await client.container.stop(handle, { timeout: 15_000 });
    },
    async start() {
      if (disposed) throw new Error(`${spec.backend}: start() after dispose()`);
      for (const { client, handle, node } of await lowLevel()) {
        await client.container.start(handle).catch((error: unknown) => {
          // Docker answers 304 when the container already runs.
          if ((error as { statusCode?: number }).statusCode !== 304) throw error;
        });
        await waitUntilReady(node);
      }
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.all(nodes.map((node) => node.container.stop({ remove: true, removeVolumes: true, timeout: 5000 })));
    },
  };
}
