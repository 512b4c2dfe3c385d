import { describe, expect, it } from 'vitest';
import { ConnectionWatch, mayMeanServerGone } from '../src/connection-watch';
import { eventually } from './helpers';

// The decision logic alone; the store's behaviour against a real server is in faults.test.ts.
const serverError = (code: string, severity = 'ERROR') =>
  Object.assign(new Error(`server says ${code}`), { code, severity });

describe('mayMeanServerGone', () => {
  it.each([
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['connection reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['a terminated connection', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
    ['a broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['a server that stopped answering', new Error('Query read timeout')],
    ['admin shutdown', serverError('57P01', 'FATAL')],
    ['a server starting up or shutting down', serverError('57P03', 'FATAL')],
    ['SQLSTATE class 08', serverError('08006', 'FATAL')],
  ])('true for %s', (_, error) => {
    expect(mayMeanServerGone(error)).toBe(true);
  });

  it.each([
    ['a missing table', serverError('42P01')],
    ['a statement timeout', serverError('57014')],
    ['invalid json', serverError('22P02')],
    ['too many connections (the server answered)', serverError('53300', 'FATAL')],
    ['a pool with no free connection', new Error('timeout exceeded when trying to connect')],
    ['an error of our own', new Error('table "session" does not exist')],
    ['a non-error', 'ECONNREFUSED'],
  ])('false for %s', (_, error) => {
    expect(mayMeanServerGone(error)).toBe(false);
  });
});

describe('ConnectionWatch', () => {
  function watchWith(probe: () => Promise<unknown>) {
    const events: string[] = [];
    const watch = new ConnectionWatch(
      probe,
      () => events.push('up'),
      () => events.push('down'),
      10,
    );
    return { watch, events };
  }

  it('reports down only when the probe fails too, and up again once it succeeds', async () => {
    let serverUp = false;
    let probes = 0;
    const { watch, events } = watchWith(async () => {
      probes += 1;
      if (!serverUp) throw new Error('refused');
    });
    watch.failed(new Error('Connection terminated unexpectedly'));
    await eventually(() => events.includes('down'));
    await eventually(() => probes >= 3);
    expect(events).toEqual(['down']);
    serverUp = true;
    await eventually(() => events.includes('up'));
    expect(events).toEqual(['down', 'up']);
    watch.stop();
  });

  it('a failure the probe disproves reports nothing; a server error starts no probe', async () => {
    let probes = 0;
    const { watch, events } = watchWith(async () => {
      probes += 1;
    });
    watch.failed(serverError('42P01'));
    expect(probes).toBe(0);
    watch.failed(new Error('Connection terminated unexpectedly'));
    await eventually(() => probes === 1);
    await eventually(() => events.length > 0);
    expect(events).toEqual(['up']);
    watch.stop();
  });

  it('ignores the success of a query that started before the outage was reported', async () => {
    const { watch, events } = watchWith(() => Promise.reject(new Error('refused')));
    const startedBefore = watch.begin();
    watch.failed(new Error('Connection terminated unexpectedly'));
    await eventually(() => events.includes('down'));
    watch.succeeded(startedBefore);
    expect(events).toEqual(['down']);
    watch.succeeded(watch.begin());
    expect(events).toEqual(['down', 'up']);
    watch.stop();
  });
});
