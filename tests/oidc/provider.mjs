// A real OpenID Connect provider on loopback for the single sign-on tests (tests/oidc/).
//
// node tests/oidc/provider.mjs, with the environment:
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET  the one client (our site)
//   OIDC_REDIRECT_URIS                  its redirect URIs, comma-separated
// It listens on a free port of 127.0.0.1 and prints one line of JSON, {"issuer": "http://..."},
// once it accepts requests. The sign-in form is oidc-provider's development one: any account
// below by its id, any password; then a consent page.
import http from 'node:http';

import Provider from 'oidc-provider';

// The people the association knows. `member_number` is the claim the site is told to read.
const ACCOUNTS = {
  maria: {
    email: 'maria.sso@example.test', email_verified: true,
    given_name: 'María', family_name: 'Okafor-Núñez', member_number: 'SSO-1001',
  },
  // Claims an address without having verified it.
  unverified: {
    email: 'taken@example.test', email_verified: false,
    given_name: 'Una', family_name: 'Verified', member_number: 'SSO-1002',
  },
  // Sends the claim as the string "false", as some providers do.
  stringly: {
    email: 'taken@example.test', email_verified: 'false',
    given_name: 'Stringer', family_name: 'Verified', member_number: 'SSO-1007',
  },
  // Verified, with an address an account here already has.
  owner: {
    email: 'owner@example.test', email_verified: true,
    given_name: 'Olu', family_name: 'Owner', member_number: 'SSO-1003',
  },
  // A member number the roster does not have.
  stranger: {
    email: 'stranger@example.test', email_verified: true,
    given_name: 'Stan', family_name: 'Ranger', member_number: 'NO-SUCH-1',
  },
  // A member whose membership has lapsed.
  lapsed: {
    email: 'lapsed@example.test', email_verified: true,
    given_name: 'Lee', family_name: 'Lapsed', member_number: 'SSO-1005',
  },
  // Gives no email address at all.
  quiet: {
    given_name: 'Quinn', family_name: 'Quiet', member_number: 'SSO-1006',
  },
};

const required = (name) => {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is required`);
    process.exit(2);
  }
  return value;
};

const configuration = {
  clients: [{
    client_id: required('OIDC_CLIENT_ID'),
    client_secret: required('OIDC_CLIENT_SECRET'),
    redirect_uris: required('OIDC_REDIRECT_URIS').split(','),
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  scopes: ['openid', 'email', 'profile', 'membership'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['given_name', 'family_name', 'name'],
    membership: ['member_number'],
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['a-cookie-key-for-the-tests-only'] },
  async findAccount(ctx, id) {
    const person = ACCOUNTS[id];
    if (!person) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, name: `${person.given_name} ${person.family_name}`, ...person };
      },
    };
  },
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
// The test suite stops the provider with SIGTERM.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
