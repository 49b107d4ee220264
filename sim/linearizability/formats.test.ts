import assert from 'node:assert/strict';
import { checkHistory, HistoryError } from './index';
import { readHistory, REGISTER_KEY } from './formats';

const refuses = (text: string, message: RegExp): void => {
  assert.throws(
    () => readHistory(text, 'h.edn'),
    (e: unknown) => e instanceof HistoryError && message.test(e.message),
    `expected ${message} for ${JSON.stringify(text)}`,
  );
};

describe('history formats: Jepsen EDN', () => {
  const register = [
    '{:type :invoke, :f :write, :value 1, :process 0, :time 10, :index 0}',
    '{:type :invoke, :f :read, :value nil, :process 1, :time 11, :index 1}',
    '{:type :ok, :f :write, :value 1, :process 0, :time 20, :index 2}',
    '{:type :info, :f :start, :value nil, :process :nemesis, :time 21}',
    '{:type :ok, :f :read, :value 1, :process 1, :time 30, :index 3}',
    '{:type :invoke, :f :cas, :value [1 2], :process 0, :time 40, :index 4}',
    '{:type :fail, :f :cas, :value [1 2], :process 0, :time 50, :index 5}',
    '{:type :invoke, :f :cas, :value [1 3], :process 0, :time 60, :index 6}',
    '{:type :info, :f :cas, :value [1 3], :process 0, :time 70, :index 7}',
    '{:type :invoke, :f :write, :value 4, :process 5, :time 80, :index 8}',
  ].join('\n');

  it('reads one op map per line: invocations paired with completions by process, the nemesis left out', () => {
    const h = readHistory(register, 'h.edn');
    assert.equal(h.format, 'edn');
    assert.deepEqual(h.operations, [
      // Times are the lines of the invocation and the completion.
      { client: '0', op: 'put', key: REGISTER_KEY, value: '1', call: 1, return: 3 },
      { client: '1', op: 'get', key: REGISTER_KEY, output: '1', call: 2, return: 5 },
      // The :fail cas did not happen and is gone; the :info cas may have happened: it never returns.
      { client: '0', op: 'cas', key: REGISTER_KEY, expected: '1', value: '3', call: 8, return: null },
      // Invoked and never completed: the same as :info.
      { client: '5', op: 'put', key: REGISTER_KEY, value: '4', call: 10, return: null },
    ]);
    assert.deepEqual(h.lines, [1, 2, 8, 10], 'the line of each invocation');
    assert.equal(checkHistory(h.operations).result, 'ok');
  });

  it('reads a vector of op maps (and tagged op records) the same as one per line', () => {
    const lines = register.split('\n');
    const vector = `[${lines.join('\n ')}]`;
    assert.deepEqual(readHistory(vector, 'h.edn').operations, readHistory(register, 'h.edn').operations);
    // Several operations on a line: times are positions among the operations.
    const oneLine = readHistory(`[${lines.join(' ')}]`, 'h.edn').operations;
    assert.deepEqual(
      oneLine.map((o) => [o.call, o.return]),
      [
        [0, 2],
        [1, 3],
        [6, null],
        [8, null],
      ],
    );
    const tagged = lines.map((l) => `#jepsen.history.Op${l}`).join('\n');
    assert.deepEqual(readHistory(tagged, 'h.edn').operations, readHistory(register, 'h.edn').operations);
  });

  it('reads jepsen.independent [key value] tuples as keys, and a non-linearizable read is found on its key', () => {
    const h = readHistory(
      [
        '{:type :invoke, :f :write, :value [:x 1], :process 0}',
        '{:type :ok, :f :write, :value [:x 1], :process 0}',
        '{:type :invoke, :f :cas, :value [:y [nil 2]], :process 1}',
        '{:type :ok, :f :cas, :value [:y [nil 2]], :process 1}',
        '{:type :invoke, :f :read, :value [:x nil], :process 2}',
        '{:type :ok, :f :read, :value [:x 2], :process 2}',
      ].join('\n'),
      'h.edn',
    );
    assert.deepEqual(
      h.operations.map((o) => [o.key, o.op]),
      [
        [':x', 'put'],
        [':y', 'cas'],
        [':x', 'get'],
      ],
    );
    assert.equal(h.operations[1]!.expected, null);
    const r = checkHistory(h.operations);
    assert.equal(r.result, 'illegal');
    if (r.result === 'illegal') assert.equal(r.key, ':x');
  });

  it("reads Porcupine's key/value logs (:key with :get, :put, :append)", () => {
    const h = readHistory(
      [
        '{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}',
        '{:process 1, :type :invoke, :f :get, :key "0", :value nil}',
        '{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}',
        '{:process 1, :type :ok, :f :get, :key "0", :value "x 0 0 y"}',
        '{:process 2, :type :invoke, :f :get, :key "7", :value nil}',
        '{:process 2, :type :ok, :f :get, :key "7", :value ""}',
      ].join('\n'),
      'kv.txt',
    );
    assert.deepEqual(
      h.operations.map((o) => [o.key, o.op, o.output ?? o.value]),
      [
        ['0', 'append', 'x 0 0 y'],
        ['0', 'get', 'x 0 0 y'],
        ['7', 'get', ''],
      ],
    );
    assert.equal(checkHistory(h.operations).result, 'illegal', 'a missing key reads as nil, not ""');
    assert.equal(checkHistory(h.operations, { initial: '' }).result, 'ok', 'with every key starting as "" (Porcupine\'s model)');
  });

  it('refuses bad input with file:line:col and what is wrong', () => {
    refuses('{:type :invoke, :f :read, :value nil, :process 0}\n  {:type :ok :f :read', /^h\.edn:2:3: "\{" is not closed/);
    refuses('{:type :invoke, :f :read, :value [1 2}, :process 0}', /^h\.edn:1:38: "\}" does not match the "\[" at 1:34/);
    refuses('{:f :read, :value nil, :process 0}', /^h\.edn:1:1: the operation has no :type/);
    refuses('{:type :begin, :f :read, :process 0}', /^h\.edn:1:1: :type must be :invoke, :ok, :fail or :info \(got :begin\)/);
    refuses('{:type :invoke, :f :read, :process "p"}', /^h\.edn:1:1: :process must be an integer/);
    refuses(
      '{:type :invoke, :f :read, :process 0}\n{:type :ok, :f :read, :value 1, :process 1}',
      /^h\.edn:2:1: a :ok of process 1 that has no operation in flight/,
    );
    refuses(
      '{:type :invoke, :f :read, :process 0}\n{:type :invoke, :f :read, :process 0}',
      /^h\.edn:2:1: process 0 invokes again before its operation at 1:1 completed/,
    );
    refuses(
      '{:type :invoke, :f :write, :value 1, :process 0}\n{:type :info, :f :write, :value 1, :process 0}\n{:type :invoke, :f :read, :process 0}',
      /^h\.edn:3:1: process 0 invokes again after its :info at 2:1/,
    );
    refuses('{:type :invoke, :f :cas, :value 1, :process 0}', /^h\.edn:1:1: a :cas's value must be \[old new\]/);
    refuses('{:type :invoke, :f :enqueue, :value 1, :process 0}', /^h\.edn:1:1: :f :enqueue is not a key\/value operation/);
    refuses('42', /^h\.edn:1:1: expected an operation map/);
    refuses('  \n', /^h\.edn:1:1: the file is empty/);
  });
});

describe('history formats: jepsen.util log lines', () => {
  it("reads Knossos' etcd logs, skipping other lines; a timed-out read is dropped, a timed-out write never returns", () => {
    const log = [
      'INFO  jepsen.core - starting',
      'INFO  jepsen.util - 0\t:invoke\t:read\tnil',
      'INFO  jepsen.util - 1\t:invoke\t:write\t3',
      'INFO  jepsen.util - 0\t:ok\t:read\tnil',
      'INFO  jepsen.util - 2\t:invoke\t:cas\t[3 4]',
      'INFO  jepsen.util - 1\t:info\t:write\t:timed-out',
      'INFO  jepsen.util - 2\t:ok\t:cas\t[3 4]',
      'INFO  jepsen.util - 3\t:invoke\t:read\tnil',
      'INFO  jepsen.util - 3\t:fail\t:read\t:timed-out',
    ].join('\n');
    const h = readHistory(log, 'etcd.log');
    assert.equal(h.format, 'jepsen-log');
    assert.deepEqual(h.operations, [
      { client: '0', op: 'get', key: REGISTER_KEY, output: null, call: 2, return: 4 },
      { client: '1', op: 'put', key: REGISTER_KEY, value: '3', call: 3, return: null },
      { client: '2', op: 'cas', key: REGISTER_KEY, expected: '3', value: '4', output: true, call: 5, return: 7 },
    ]);
    assert.equal(checkHistory(h.operations).result, 'ok');
  });

  it('refuses a malformed value with its line and column', () => {
    assert.throws(() => readHistory('INFO  jepsen.util - 2\t:invoke\t:cas\t[3 4', 'etcd.log'), /^HistoryError: etcd\.log:1:36: "\[" is not closed/);
  });
});

describe('history formats: JSON', () => {
  it('takes integer clients and an initial value; errors say file:line:col', () => {
    const text = '{"initial": "", "operations": [\n {"client": 3, "op": "get", "key": "k", "output": "", "call": 0, "return": 1}\n]}';
    const h = readHistory(text, 'h.json');
    assert.equal(h.format, 'json');
    assert.equal(h.initial, '');
    assert.equal(h.operations[0]!.client, '3');
    assert.deepEqual(h.lines, [2]);
    assert.equal(checkHistory(h.operations, { initial: h.initial }).result, 'ok');
    assert.throws(
      () =>
        readHistory(
          '[\n {"client": "a", "op": "get", "key": "k", "output": null, "call": 0, "return": 1},\n  {"client": "a", "op": "put", "key": "k", "call": 0, "return": 1}\n]',
          'h.json',
        ),
      /^HistoryError: h\.json:3:3: operation 1: a put needs a string "value"/,
    );
    assert.throws(() => readHistory('[\n {"client": "a",, }]', 'h.json'), /^HistoryError: h\.json:2:17: not JSON/);
    assert.throws(() => readHistory('{"operations": [], "extra": 1}', 'h.json'), /^HistoryError: h\.json:1:1: unknown top-level field "extra"/);
  });
});
