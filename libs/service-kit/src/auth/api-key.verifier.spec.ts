import { ApiKeyVerifier } from './api-key.verifier.js';

describe('ApiKeyVerifier', () => {
  const verifier = new ApiKeyVerifier(['alpha-key', 'beta-key']);

  it('accepts a configured key as x-api-key or Bearer token', () => {
    expect(verifier.verify({ 'x-api-key': 'alpha-key' })).toBe(true);
    expect(verifier.verify({ authorization: 'Bearer beta-key' })).toBe(true);
    expect(verifier.verify({ authorization: 'bearer   beta-key ' })).toBe(true);
  });

  it('refuses missing, wrong, prefixed or differently-schemed keys', () => {
    for (const headers of [
      {},
      { 'x-api-key': '' },
      { 'x-api-key': 'alpha-ke' },
      { 'x-api-key': 'alpha-keyy' },
      { authorization: 'Basic alpha-key' },
      { authorization: 'Bearer' },
    ]) {
      expect(verifier.verify(headers)).toBe(false);
    }
  });

  it('is open (and says so) when no key is configured', () => {
    const open = new ApiKeyVerifier([]);
    expect(open.open).toBe(true);
    expect(open.verify({})).toBe(true);
    expect(verifier.open).toBe(false);
  });
});

describe('ApiKeyVerifier.identify', () => {
  it('names the caller by a digest of its key, the same for either header, never the key itself', () => {
    const verifier = new ApiKeyVerifier(['alpha-key', 'beta-key']);
    const a = verifier.identify({ 'x-api-key': 'alpha-key' });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(verifier.identify({ authorization: 'Bearer alpha-key' })).toBe(a);
    expect(verifier.identify({ 'x-api-key': 'beta-key' })).not.toBe(a);
    expect(verifier.identify({ 'x-api-key': 'nope' })).toBeUndefined();
    expect(new ApiKeyVerifier([]).identify({})).toBe('anonymous');
  });
});
