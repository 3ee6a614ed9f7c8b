// Whether a request's Origin header names the host it was sent to.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isSafeMethod, originMatchesHost } from '../../../src/manager/http/same-origin.js';

describe('same origin', () => {
  it('matches the Host header, default ports and case aside, whatever the scheme', () => {
    assert.equal(originMatchesHost('https://capstan.example:14443', 'capstan.example:14443'), true);
    assert.equal(originMatchesHost('https://Capstan.Example', 'capstan.example:443'), true);
    assert.equal(originMatchesHost('http://localhost', 'localhost:80'), true);
    assert.equal(originMatchesHost('https://capstan.example', 'capstan.example'), true);
  });

  it('refuses another host or port, an opaque origin, garbage and an absent header', () => {
    assert.equal(originMatchesHost('https://capstan.example:8443', 'capstan.example:14443'), false);
    assert.equal(originMatchesHost('https://evil.capstan.example:14443', 'capstan.example:14443'), false);
    assert.equal(originMatchesHost('https://capstan.example.evil:14443', 'capstan.example:14443'), false);
    assert.equal(originMatchesHost('null', 'capstan.example'), false);
    assert.equal(originMatchesHost('not a url', 'capstan.example'), false);
    assert.equal(originMatchesHost(undefined, 'capstan.example'), false);
    assert.equal(originMatchesHost('https://capstan.example', undefined), false);
  });

  it('knows which methods change nothing', () => {
    assert.deepEqual(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'].map(isSafeMethod), [true, true, true, false, false, false, false]);
  });
});
