import { expect, it } from 'vitest';

/**
 * What a drop-in entry does with one option of the store users migrate from: it honours it
 * (`honoured` checks the effect on the store made with it), or refuses it at construction with
 * an error that names what to use instead (`refused`). Never a third way: silently ignored.
 */
export type AnchorOutcome<S> = { honoured: (store: S) => void | Promise<void> } | { refused: RegExp };

/** One row: the anchor's option name, the options that set it (beside the base ones), and the outcome. */
export type AnchorOptionCase<S> = [name: string, options: Record<string, unknown>, outcome: AnchorOutcome<S>];

/**
 * Registers the table: one case per row, and a check that the rows cover every option the
 * anchor has (`anchorOptions`, read from its code and types), so that an option added there
 * without a row here fails.
 */
export function anchorOptionCases<S>(
  anchor: string,
  anchorOptions: readonly string[],
  make: (options: Record<string, unknown>) => S,
  cases: ReadonlyArray<AnchorOptionCase<S>>,
): void {
  it(`the table covers every option of ${anchor}`, () => {
    expect([...new Set(cases.map(([name]) => name))].sort()).toEqual([...anchorOptions].sort());
  });

  it.each(cases)(
    `${anchor}'s option %s is honoured, or refused naming the replacement`,
    async (_name, options, outcome) => {
      if ('refused' in outcome) {
        expect(() => make(options)).toThrow(TypeError);
        expect(() => make(options)).toThrow(outcome.refused);
        return;
      }
      await outcome.honoured(make(options));
    },
  );
}
