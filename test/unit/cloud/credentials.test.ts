import { isCredentialProvider, staticCredentials, toCredentialProvider, toSdkCredential } from '../../../shared/cloud/credentials';
import { assertPopEndpoint, popConfig } from '../../../shared/cloud/pop-config';

describe('credentials', () => {
  it('wraps static keys in a provider that ignores later mutation', async () => {
    const keys = { accessKeyId: 'AK', accessKeySecret: 'SK' };
    const p = staticCredentials(keys);
    keys.accessKeyId = 'changed';
    await expect(p.get()).resolves.toEqual({ accessKeyId: 'AK', accessKeySecret: 'SK' });
    expect(isCredentialProvider(p)).toBe(true);
    expect(isCredentialProvider(keys)).toBe(false);
    expect(toCredentialProvider(p)).toBe(p);
  });

  it('bridges a provider to the openapi-core credential, token included', async () => {
    const c = toSdkCredential({ get: async () => ({ accessKeyId: 'STS.x', accessKeySecret: 's', securityToken: 't' }) });
    await expect(c.getCredential()).resolves.toMatchObject({ accessKeyId: 'STS.x', accessKeySecret: 's', securityToken: 't', providerName: 'crossrole' });
  });
});

describe('POP endpoint', () => {
  it.each(['ram.aliyuncs.com', '127.0.0.1:9494', 'sts.cn-hangzhou.aliyuncs.com', '[::1]:9494'])('accepts %s', (e) => {
    expect(() => assertPopEndpoint(e)).not.toThrow();
  });
  it.each(['http://127.0.0.1:9494', '127.0.0.1:9494/', 'a b', ''])('refuses %j (scheme or path would break the SDK)', (e) => {
    expect(() => assertPopEndpoint(e)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });
  it('sets both timeouts (the SDK otherwise gives up after 3 s)', () => {
    const c = popConfig({ endpoint: '127.0.0.1:9494', protocol: 'http', credentials: { accessKeyId: 'a', accessKeySecret: 'b' } });
    expect(c).toMatchObject({ endpoint: '127.0.0.1:9494', protocol: 'http', readTimeout: 10_000, connectTimeout: 10_000, accessKeyId: 'a' });
  });
});
