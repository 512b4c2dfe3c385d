import { readmeCode } from '../../../scripts/test-support/readme-code';

export { swap } from '../../../scripts/test-support/readme-code';

/** The README's code, run as written: only addresses (and the listening port) are swapped. */
const readme = readmeCode(import.meta.url);

/** The ```ts block of the README that contains `marker` (exactly one must). */
export const readmeBlock = (marker: string): string => readme.block('ts', marker);

export const { runModule } = readme;
