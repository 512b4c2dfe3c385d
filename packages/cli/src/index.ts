export { copySessions, DEFAULT_COPY_PAGE_SIZE, type CopyCounts, type CopyOptions, type CopyResult } from './copy';
export { parseEndpoint, STORE_KINDS, type Namespace, type StoreKind, type StoreSpec } from './endpoint';
export { readConfigFile } from './config-file';
export { openStore, type CopyableStore } from './open-store';
export { run, type RunIo } from './run';
export { UsageError } from './usage-error';
export { verifyTarget, type Verification } from './verify';
