/**
 * Model-based property: MULTI/EXEC/WATCH through the real dispatch path (in-process server,
 * two clients) against a plain Map model per database. The watcher works in db 0; the writer
 * in db 0 or 1. A watcher's EXEC must answer null exactly when a key it watches was modified
 * after WATCH, by Redis 7's rules: SET; DEL of an existing key; FLUSHDB or FLUSHALL while the
 * key exists in db 0; SWAPDB 0 1 while it exists in db 0 or db 1 (a flush or swap that leaves a
 * watched key absent before and after does not count). Otherwise EXEC applies every queued SET.
 * Failing runs print fast-check's seed and path to replay.
 */

import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { createInProcessServer } from '../../helpers/in-process-server.js';
import type { InProcessServer } from '../../helpers/in-process-server.js';
import type { Client } from '../../../src/server/connection.js';

interface Model {
  /** Index = db (0 or 1). */
  dbs: [Map<string, string>, Map<string, string>];
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

type Db = 0 | 1;

/** Runs one writer command in `db` (SELECT first; SELECT's own reply is checked). */
function runWriter(real: Real, db: Db, argv: string[]): unknown {
  expect(real.harness.run(real.writer, ['SELECT', String(db)])).toEqual({ simple: 'OK' });
  return real.harness.run(real.writer, argv);
}

/** Whether any watched key holds a value in db 0 (or, when `alsoDb1`, in db 1). */
function watchesExistingKey(model: Model, alsoDb1: boolean): boolean {
  for (const key of model.watched) {
    if (model.dbs[0].has(key) || (alsoDb1 && model.dbs[1].has(key))) return true;
  }
  return false;
}

class WriterSet implements fc.Command<Model, Real> {
  constructor(readonly db: Db, readonly key: string, readonly value: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    expect(runWriter(real, this.db, ['SET', this.key, this.value])).toEqual({ simple: 'OK' });
    model.dbs[this.db].set(this.key, this.value);
    if (this.db === 0 && model.watched.has(this.key)) model.isDirty = true;
  }
  toString(): string { return `writer db${this.db} SET ${this.key} ${this.value}`; }
}

class WriterDel implements fc.Command<Model, Real> {
  constructor(readonly db: Db, readonly key: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    const existed = model.dbs[this.db].has(this.key);
    expect(runWriter(real, this.db, ['DEL', this.key])).toBe(existed ? 1 : 0);
    model.dbs[this.db].delete(this.key);
    if (this.db === 0 && existed && model.watched.has(this.key)) model.isDirty = true;
  }
  toString(): string { return `writer db${this.db} DEL ${this.key}`; }
}

class WriterFlushDb implements fc.Command<Model, Real> {
  constructor(readonly db: Db) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    expect(runWriter(real, this.db, ['FLUSHDB'])).toEqual({ simple: 'OK' });
    if (this.db === 0 && watchesExistingKey(model, false)) model.isDirty = true;
    model.dbs[this.db].clear();
  }
  toString(): string { return `writer db${this.db} FLUSHDB`; }
}

class WriterFlushAll implements fc.Command<Model, Real> {
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    expect(runWriter(real, 1, ['FLUSHALL'])).toEqual({ simple: 'OK' });
    if (watchesExistingKey(model, false)) model.isDirty = true;
    model.dbs[0].clear();
    model.dbs[1].clear();
  }
  toString(): string { return 'writer FLUSHALL'; }
}

class WriterSwapDb implements fc.Command<Model, Real> {
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    expect(runWriter(real, 0, ['SWAPDB', '0', '1'])).toEqual({ simple: 'OK' });
    if (watchesExistingKey(model, true)) model.isDirty = true;
    model.dbs = [model.dbs[1], model.dbs[0]];
  }
  toString(): string { return 'writer SWAPDB 0 1'; }
}

class WriterGet implements fc.Command<Model, Real> {
  constructor(readonly db: Db, readonly key: string) {}
  check(): boolean { return true; }
  run(model: Model, real: Real): void {
    expect(runWriter(real, this.db, ['GET', this.key])).toEqual(model.dbs[this.db].get(this.key) ?? null);
  }
  toString(): string { return `writer db${this.db} GET ${this.key}`; }
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
      for (const [key, value] of model.queued) model.dbs[0].set(key, value);
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

const db = fc.constantFrom<Db>(0, 1);
const key = fc.constantFrom('a', 'b', 'c');
const value = fc.constantFrom('1', '2', 'x');
const commands = fc.commands([
  fc.tuple(db, key, value).map(([d, k, v]) => new WriterSet(d, k, v)),
  fc.tuple(db, key).map(([d, k]) => new WriterDel(d, k)),
  db.map((d) => new WriterFlushDb(d)),
  fc.constant(new WriterFlushAll()),
  fc.constant(new WriterSwapDb()),
  fc.tuple(db, key).map(([d, k]) => new WriterGet(d, k)),
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
        model: { dbs: [new Map<string, string>(), new Map<string, string>()], watched: new Set<string>(), isDirty: false, isInMulti: false, queued: [] } as Model,
        real: { harness, watcher: harness.connect().client, writer: harness.connect().client },
      });
      fc.modelRun(setup, sequence);
    }), { numRuns: 300 });
  });
});

