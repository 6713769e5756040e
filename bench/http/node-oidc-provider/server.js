// node oidc-provider 9 as a benchmark peer: its development interactions (a login page that takes
// any login and password, then a consent page), one confidential client with PKCE, RS256 ID
// tokens with a fresh RSA-2048 key. Loopback only; PORT picks the port.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT || 9997);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'web',
    client_secret: 'secret',
    redirect_uris: ['http://127.0.0.1:4101/cb'],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'bench' }] },
  cookies: { keys: ['bench-only-cookie-key'] },
  pkce: { required: () => true },
  findAccount: (ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  features: { devInteractions: { enabled: true } },
});
provider.listen(port, '127.0.0.1', () => console.log(`node oidc-provider on ${issuer}`));
