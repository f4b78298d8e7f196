/**
 * Model-based property: MULTI/EXEC/WATCH through the real dispatch path (in-process server,
 * two clients) against a plain Map model. A watcher's EXEC must answer null exactly when a
 * key it watches was modified (SET, DEL of an existing key, FLUSHDB) after WATCH; otherwise
 * it must apply every queued SET. Failing runs print fast-check's seed and path to replay.
 */

import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { createInProcessServer } from '../../helpers/in-process-server.js';
import type { InProcessServer } from '../../helpers/in-process-server.js';
import type { Client } from '../../../src/server/connection.js';

interface Model {
  values: Map<string, string>;
  watched: Set<string>;
  isDirty: boolean;
  isInMulti: boolean;
  queued: [string, string][];
}

interface Real {
  harness: InProcessServer;
  watcher: Client;
  writer: Client;
}

class WriterSet implements fc.Command<Model, Real> {
  constructor(readonly key: string, readonly value: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    expect(real.harness.run(real.writer, ['SET', this.key, this.value])).toEqual({ simple: 'OK' });
    model.values.set(this.key, this.value);
    if (model.watched.has(this.key)) model.isDirty = true;
  }
  toString(): string { return `writer SET ${this.key} ${this.value}`; }
}

class WriterDel implements fc.Command<Model, Real> {
  constructor(readonly key: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const existed = model.values.has(this.key);
    expect(real.harness.run(real.writer, ['DEL', this.key])).toBe(existed ? 1 : 0);
    model.values.delete(this.key);
    if (existed && model.watched.has(this.key)) model.isDirty = true;
  }
  toString(): string { return `writer DEL ${this.key}`; }
}

class WriterFlush implements fc.Command<Model, Real> {
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    expect(real.harness.run(real.writer, ['FLUSHDB'])).toEqual({ simple: 'OK' });
    model.values.clear();
    if (model.watched.size > 0) model.isDirty = true;
  }
  toString(): string { return 'writer FLUSHDB'; }
}

class WriterGet implements fc.Command<Model, Real> {
  constructor(readonly key: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    expect(real.harness.run(real.writer, ['GET', this.key])).toEqual(model.values.get(this.key) ?? null);
  }
  toString(): string { return `writer GET ${this.key}`; }
}

class Watch implements fc.Command<Model, Real> {
  constructor(readonly key: string) {}
  check(model: Readonly<Model>): boolean { return !model.isInMulti; }
  run(model: Model, real: Real): void {
    expect(real.harness.run(real.watcher, ['WATCH', this.key])).toEqual({ simple: 'OK' });
    model.watched.add(this.key);
  }
  toString(): string { return `watcher WATCH ${this.key}`; }
}

class Multi implements fc.Command<Model, Real> {
  check(model: Readonly<Model>): boolean { return !model.isInMulti; }
  run(model: Model, real: Real): void {
    expect(real.harness.run(real.watcher, ['MULTI'])).toEqual({ simple: 'OK' });
    model.isInMulti = true;
    model.queued = [];
  }
  toString(): string { return 'watcher MULTI'; }
}

class QueueSet implements fc.Command<Model, Real> {
  constructor(readonly key: string, readonly value: string) {}
  check(model: Readonly<Model>): boolean { return model.isInMulti; }
  run(model: Model, real: Real): void {
    expect(real.harness.run(real.watcher, ['SET', this.key, this.value])).toEqual({ simple: 'QUEUED' });
    model.queued.push([this.key, this.value]);
  }
  toString(): string { return `watcher (queued) SET ${this.key} ${this.value}`; }
}

class Exec implements fc.Command<Model, Real> {
  check(model: Readonly<Model>): boolean { return model.isInMulti; }
  run(model: Model, real: Real): void {
    const reply = real.harness.run(real.watcher, ['EXEC']);
    if (model.isDirty) {
      expect(reply).toBeNull();
    } else {
      expect(reply).toEqual(model.queued.map(() => ({ simple: 'OK' })));
      for (const [key, value] of model.queued) model.values.set(key, value);
    }
    model.isInMulti = false;
    model.queued = [];
    model.watched.clear();
    model.isDirty = false;
  }
  toString(): string { return 'watcher EXEC'; }
}

class Unwatch implements fc.Command<Model, Real> {
  check(model: Readonly<Model>): boolean { return !model.isInMulti; }
  run(model: Model, real: Real): void {
    expect(real.harness.run(real.watcher, ['UNWATCH'])).toEqual({ simple: 'OK' });
    model.watched.clear();
    model.isDirty = false;
  }
  toString(): string { return 'watcher UNWATCH'; }
}

const key = fc.constantFrom('a', 'b', 'c');
const value = fc.constantFrom('1', '2', 'x');
const commands = fc.commands([
  fc.tuple(key, value).map(([k, v]) => new WriterSet(k, v)),
  key.map((k) => new WriterDel(k)),
  fc.constant(new WriterFlush()),
  key.map((k) => new WriterGet(k)),
  key.map((k) => new Watch(k)),
  fc.constant(new Multi()),
  fc.tuple(key, value).map(([k, v]) => new QueueSet(k, v)),
  fc.constant(new Exec()),
  fc.constant(new Unwatch()),
], { maxCommands: 60, size: 'max' });

describe('transactions (model-based)', () => {
  test('EXEC fails exactly when a watched key was modified, and otherwise applies the queue', () => {
    fc.assert(fc.property(commands, (sequence) => {
      const harness = createInProcessServer();
      const setup = () => ({
        model: { values: new Map<string, string>(), watched: new Set<string>(), isDirty: false, isInMulti: false, queued: [] } as Model,
        real: { harness, watcher: harness.connect().client, writer: harness.connect().client },
      });
      fc.modelRun(setup, sequence);
    }), { numRuns: 100 });
  });
});

