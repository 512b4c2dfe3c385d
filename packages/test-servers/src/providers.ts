import { forcedProvider, isStrictMode } from './env';
import { BackendUnavailableError, ProviderUnavailableError } from './errors';
import type { BackendName, Provider } from './types';

export interface StartOptions {
  /** Use only this provider (overrides SESSION_STORES_PROVIDER_<BACKEND> and SESSION_STORES_PROVIDER). */
  provider?: Provider;
  /** The container image (overrides SESSION_STORES_<NAME>_IMAGE); it must take the official image's command line. */
  image?: string;
}

/** How each provider gets the backend. Each throws ProviderUnavailableError when it cannot here. */
export type ProviderSet<T> = Record<Provider, () => Promise<T>>;

const ORDER: readonly Provider[] = ['url', 'container', 'local'];

/**
 * Tries the providers in order (url from the environment, then a container, then local
 * binaries), or only the forced one. A provider that is unavailable passes to the next; a URL
 * that is refused or a local server that fails to start is an error, not a reason to skip.
 * A container that fails to start falls back to local servers, loudly, unless containers were
 * forced or in strict mode (CI), where a fallback would hide a broken container path.
 */
export async function startWithProviders<T>(
  backend: BackendName,
  providers: ProviderSet<T>,
  options: StartOptions = {},
): Promise<T> {
  const forced = options.provider ?? forcedProvider(backend);
  const order = forced ? [forced] : ORDER;
  const reasons: Partial<Record<Provider, string>> = {};
  for (const provider of order) {
    try {
      return await providers[provider]();
    } catch (error) {
      if (error instanceof ProviderUnavailableError) {
        reasons[provider] = error.message;
        continue;
      }
      if (provider === 'container' && !forced && !isStrictMode()) {
        const message = error instanceof Error ? error.message : String(error);
        reasons.container = `failed: ${message}`;
        console.warn(`[harness] ${backend}: the container provider failed, trying local servers: ${message}`);
        continue;
      }
      throw error;
    }
  }
  throw new BackendUnavailableError(backend, reasons);
}
