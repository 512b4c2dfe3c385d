import type * as TestcontainersModule from 'testcontainers';
import type { StartedTestContainer } from 'testcontainers';
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
  /**
   * The container's command, given the host port to listen on: containers share the host's
   * network (no bridge, no private-range address), so each server is told its own free port
   * on 127.0.0.1.
   */
  command: (port: number) => string[];
  environment?: Record<string, string>;
  /** Whether the server answers at its address (polled after start and restart). */
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
const LOG_TAIL_LINES = 20;

/** The last lines a container wrote, for error messages. */
async function logTail(testcontainers: Testcontainers, id: string): Promise<string> {
  try {
    const client = await testcontainers.getContainerRuntimeClient();
    const stream = await client.container.logs(client.container.getById(id), { tail: LOG_TAIL_LINES });
    const chunks: string[] = [];
    // A stopped container's log stream ends by itself.
    for await (const chunk of stream) chunks.push(String(chunk));
    return chunks.join('').trim();
  } catch {
    return '(its log could not be read)';
  }
}

class ContainerExitedError extends Error {
  override readonly name = 'ContainerExitedError';
}

/**
 * Polls the server until it answers; a container that has exited ends the wait at once, with
 * its log tail (on host networking, a port taken meanwhile makes the server exit).
 */
async function waitUntilReady(testcontainers: Testcontainers, node: RunningNode): Promise<void> {
  const client = await testcontainers.getContainerRuntimeClient();
  const handle = client.container.getById(node.container.getId());
  const what = `${node.spec.image} on ${formatHostPort(node.address)} to answer`;
  let exited = false;
  await pollUntil(
    async () => {
      if (!(await client.container.inspect(handle)).State.Running) {
        exited = true;
        return true;
      }
      return node.spec.isReady(node.address);
    },
    { what, timeoutMs: startTimeoutMs() },
  );
  if (exited) {
    const log = await logTail(testcontainers, node.container.getId());
    throw new ContainerExitedError(
      `${node.spec.image} exited instead of answering on ${formatHostPort(node.address)}:\n${log}`,
    );
  }
}

async function removeContainer(container: StartedTestContainer): Promise<void> {
  await container.stop({ remove: true, removeVolumes: true, timeout: 5000 }).catch(() => undefined);
}

/**
 * The container runs on the host's network, its server told a free 127.0.0.1 port chosen here;
 * it keeps that port when it is stopped and started again. If another process took the port
 * first, the server exits and the start is retried with a new port.
 */
async function startNode(testcontainers: Testcontainers, spec: ContainerNodeSpec): Promise<RunningNode> {
  for (let attempt = 1; ; attempt += 1) {
    const [port] = await freePorts(1);
    if (port === undefined) throw new Error('no free port');
    const container = await new testcontainers.GenericContainer(spec.image)
      .withNetworkMode('host')
      .withCommand(spec.command(port))
      .withEnvironment(spec.environment ?? {})
      // No ports are exposed (host networking), so this returns once the container runs; readiness
      // is polled below, where a container that exits (its port taken meanwhile) is seen at once.
      .withWaitStrategy(testcontainers.Wait.forListeningPorts())
      .withStartupTimeout(startTimeoutMs())
      .start();
    const host = container.getHost();
    if (!isLoopbackHost(host) && !remoteAllowed()) {
      await removeContainer(container);
      throw new ProviderUnavailableError(
        `the container runtime runs on "${host}", not on this machine's loopback; set SESSION_STORES_ALLOW_REMOTE=1 to use it`,
      );
    }
    const node = { container, spec, address: { host: isLoopbackHost(host) ? '127.0.0.1' : host, port } };
    try {
      await waitUntilReady(testcontainers, node);
      return node;
    } catch (error) {
      await removeContainer(container);
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ContainerExitedError && mentionsAddressInUse(message) && attempt < ADDRESS_IN_USE_ATTEMPTS) {
        continue;
      }
      throw error;
    }
  }
}

/**
 * A server made of containers. stop() stops the containers without removing them, so their
 * file systems (and the data volumes the images declare) survive; start() starts the same
 * containers, on the same host ports, and waits until they answer. dispose() removes them with
 * their volumes. testcontainers' reaper (Ryuk) removes containers left by a crashed run where it
 * can be pulled; scripts/with-docker.sh, which turns it off, removes them itself.
 */
export async function startContainerServer(spec: ContainerServerSpec): Promise<HarnessServer> {
  const testcontainers = await requireContainerRuntime();
  const nodes: RunningNode[] = [];
  try {
    for (const nodeSpec of spec.nodes) nodes.push(await startNode(testcontainers, nodeSpec));
  } catch (error) {
    await Promise.all(nodes.map((node) => removeContainer(node.container)));
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
        await waitUntilReady(testcontainers, node);
      }
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await Promise.all(nodes.map((node) => node.container.stop({ remove: true, removeVolumes: true, timeout: 5000 })));
    },
  };
}
