// Reading a query string's text as the types its route's schema asks for.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from 'typebox';
import { typedQuery } from '../../../src/manager/http/query-types.js';

const schema = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 1000 }),
  timeout: Type.Number({ minimum: 0, maximum: 3600 }),
  state: Type.Optional(Type.Array(Type.Union([Type.Literal('Active'), Type.Literal('Defined')]))),
  all: Type.Optional(Type.Boolean()),
  name: Type.Optional(Type.String({ maxLength: 10 })),
});

describe('typed query', () => {
  it('reads plain decimal numbers, booleans and lists', () => {
    assert.deepEqual(typedQuery(schema, { limit: '20', timeout: '2.5', state: 'Active', all: 'true', name: '42' }),
      { limit: 20, timeout: 2.5, state: ['Active'], all: true, name: '42' });
    assert.deepEqual(typedQuery(schema, { state: ['Active', 'Defined'], limit: '-3' }), { state: ['Active', 'Defined'], limit: -3 });
  });

  it('leaves text that is no plain decimal number as text, for validation to refuse', () => {
    for (const text of ['Infinity', '-Infinity', 'NaN', '1e400', '1e3', '0x10', ' 1', '1 ', '', '01', '1.', '.5', '+1']) {
      assert.deepEqual(typedQuery(schema, { limit: text }), { limit: text }, text);
    }
    assert.deepEqual(typedQuery(schema, { all: 'yes' }), { all: 'yes' });
  });

  it('reads a huge number as the number it is, for the bounds to refuse', () => {
    assert.deepEqual(typedQuery(schema, { limit: '99999999999999999999' }), { limit: 1e20 });
  });

  it('leaves a repeated single field a list, and unknown fields alone', () => {
    assert.deepEqual(typedQuery(schema, { limit: ['1', '2'], other: '5' }), { limit: ['1', '2'], other: '5' });
    assert.deepEqual(typedQuery(undefined, { limit: '1' }), { limit: '1' });
  });
});
