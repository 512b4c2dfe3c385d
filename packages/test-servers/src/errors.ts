import type { BackendName, Provider } from './types';

/**
 * A provider that cannot serve a backend on this machine (not configured, no container
 * runtime, binary not installed, topology not supported). The next provider is tried.
 */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

/** No provider could give the backend; `reasons` says why for each provider tried. */
export class BackendUnavailableError extends Error {
  override readonly name = 'BackendUnavailableError';
  readonly backend: BackendName;
  readonly reasons: Partial<Record<Provider, string>>;

  constructor(backend: BackendName, reasons: Partial<Record<Provider, string>>) {
    const summary = Object.entries(reasons)
      .map(([provider, reason]) => `${provider}: ${reason}`)
      .join('; ');
    super(`${backend} is not available (${summary})`);
    this.backend = backend;
    this.reasons = reasons;
  }
}

/** A local server process ended, or never answered, while starting. */
export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  /** The server could not bind its port: another process took it after we chose it. */
  readonly addressInUse: boolean;

  constructor(message: string, addressInUse: boolean) {
    super(message);
    this.addressInUse = addressInUse;
  }
}

/** A driver the harness needs (pg, mongodb) is not installed: waiting longer cannot help. */
export class DriverMissingError extends Error {
  override readonly name = 'DriverMissingError';
}
