/**
 * The keys one listing found, held compactly between the end of the dump (which must not wait
 * for the caller, see metadump.ts) and the reads of their sessions, page by page.
 *
 * A million sids held as a million strings in an array cost about 80 bytes each; joined by a
 * newline into strings of {@link CHUNK_ENTRIES} they cost about one byte per character. Escaped
 * sid parts never contain a newline (keys.ts escapes control characters).
 */
const CHUNK_ENTRIES = 4096;

export class KeyList {
  private readonly chunks: string[] = [];
  private pending: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(entry: string): void {
    this.pending.push(entry);
    this.count++;
    if (this.pending.length === CHUNK_ENTRIES) {
      this.chunks.push(this.pending.join('\n'));
      this.pending = [];
    }
  }

  /** The entries in pages of `size`, each chunk released once read, so memory falls as pages go. */
  *pages(size: number): Generator<string[]> {
    if (this.pending.length > 0) {
      this.chunks.push(this.pending.join('\n'));
      this.pending = [];
    }
    let page: string[] = [];
    for (let index = 0; index < this.chunks.length; index++) {
      const entries = this.chunks[index]!.split('\n');
      this.chunks[index] = '';
      for (const entry of entries) {
        page.push(entry);
        if (page.length === size) {
          yield page;
          page = [];
        }
      }
    }
    this.chunks.length = 0;
    this.count = 0;
    if (page.length > 0) yield page;
  }
}
