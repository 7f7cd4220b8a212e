// A local OpenID Connect provider for tests: one confidential client, the users of users.json (any password), and
// oidc-provider's development login and consent forms. Prints "listening on <issuer>" once it accepts connections.
//
//   node server.mjs [--port 0] [--client-id portal-test] [--client-secret portal-test-secret]
//                   [--redirect-uri https://localhost/signin-oidc] [--post-logout-redirect-uri https://localhost/signout-callback-oidc]
//                   [--users users.json]
//
// Claims: sub (the login name), name, email, and groups (scope "groups"); all are served from the userinfo endpoint.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    'client-id': { type: 'string', default: 'portal-test' },
    'client-secret': { type: 'string', default: 'portal-test-secret' },
    'redirect-uri': { type: 'string', multiple: true, default: ['https://localhost/signin-oidc'] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: ['https://localhost/signout-callback-oidc'] },
    users: { type: 'string', default: resolve(here, 'users.json') },
  },
});

const users = JSON.parse(readFileSync(args.users, 'utf8'));

// The issuer must name the port, so a free one is found before the provider is made.
async function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

const port = Number(args.port) || await freePort();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [{
    client_id: args['client-id'],
    client_secret: args['client-secret'],
    redirect_uris: args['redirect-uri'],
    post_logout_redirect_uris: args['post-logout-redirect-uri'],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email'],
    groups: ['groups'],
  },
  async findAccount(_ctx, id) {
    const user = users[id] ?? { name: id, email: `${id}@example.test`, groups: [] };
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: user.name, email: user.email, groups: user.groups ?? [] };
      },
    };
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  cookies: { keys: ['airbyte-portal-test-cookie-key'] },
});
// Plain http on the loopback address: tell the provider it is not behind a TLS-terminating proxy.
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
