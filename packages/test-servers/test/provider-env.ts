import { vi } from 'vitest';
import { BACKEND_NAMES, providerVariable } from '@session-stores/test-servers';

/**
 * Clears every provider choice from the environment for the current test (CI forces one per
 * backend), so a test that sets SESSION_STORES_PROVIDER or a URL sees only its own settings.
 * Undone by vi.unstubAllEnvs().
 */
export function clearForcedProviders(): void {
  vi.stubEnv('SESSION_STORES_PROVIDER', '');
  for (const backend of BACKEND_NAMES) vi.stubEnv(providerVariable(backend), '');
}
