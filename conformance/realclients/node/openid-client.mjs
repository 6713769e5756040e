// A real confidential relying party (npm openid-client, pinned in package.json) logging in at the
// emulator without a browser: discovery, authorization code + PKCE + nonce, the login form driven
// with fetch and a small cookie jar, the code exchange with ID-token signature checks on
// (enableNonRepudiationChecks), userinfo, and a refresh. Prints one JSON object on stdout; any
// failure exits non-zero with the reason on stderr. With response_mode form_post the response
// comes as the provider's auto-posting page, handed to the library as the POST it would make.
//
//   node openid-client.mjs <issuer> <login> <password> <redirect_uri> [client_id] [client_secret] [response_mode]
import * as client from 'openid-client';

const [issuer, login, password, redirectUri, clientId = 'demo-cabinet', clientSecret = 'demo-secret', responseMode = ''] =
  process.argv.slice(2);
if (!issuer || !login || !password || !redirectUri) {
  console.error('usage: node openid-client.mjs <issuer> <login> <password> <redirect_uri> [client_id] [client_secret]');
  process.exit(2);
}
const REQUEST_TIMEOUT_MS = 10_000;
// A hard deadline so a hung provider never hangs the test (the Go side has its own as well).
setTimeout(() => {
  console.error('openid-client.mjs: deadline exceeded');
  process.exit(3);
}, 25_000).unref();

const issuerOrigin = new URL(issuer).origin;

// --- a tiny browser: a cookie jar keyed by cookie name (one host only) and manual redirects ---
const jar = new Map();
function storeCookies(res) {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attrs] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    const expired = attrs.some((a) => {
      const [k, v = ''] = a.trim().split('=');
      const key = k.toLowerCase();
      return (key === 'max-age' && Number(v) <= 0) || (key === 'expires' && Date.parse(v) < Date.now());
    });
    if (expired || value === '') jar.delete(name);
    else jar.set(name, value);
  }
}
function cookieHeader() {
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}
const trail = []; // every browser hop, for diagnostics
async function browse(url, init = {}) {
  const headers = new Headers(init.headers);
  if (jar.size) headers.set('cookie', cookieHeader());
  headers.set('accept', 'text/html');
  headers.set('accept-language', 'ru');
  const res = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  storeCookies(res);
  trail.push(`${init.method ?? 'GET'} ${url} -> ${res.status}${res.headers.get('location') ? ' ' + res.headers.get('location') : ''}`);
  return res;
}
// follow redirects while they stay on the provider; stop at the first one leaving it.
async function follow(res) {
  for (let hops = 0; hops < 10; hops++) {
    const loc = res.headers.get('location');
    if (res.status < 300 || res.status >= 400 || !loc) return { res, body: await res.text() };
    const next = new URL(loc, res.url || issuer);
    if (next.origin !== issuerOrigin) return { res, redirect: next };
    await res.arrayBuffer();
    res = await browse(next.href);
  }
  throw new Error('too many redirects: ' + trail.join(' | '));
}

const decodeEntities = (s) =>
  s.replace(/&#(\d+);/g, (_, n) => String.fromCharCode(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_, n) => String.fromCharCode(parseInt(n, 16)))
    .replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
function attrs(tag) {
  const out = {};
  for (const m of tag.matchAll(/([a-zA-Z_:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}
// parseLoginForm finds the form holding a password field and its inputs, labels and buttons.
function parseLoginForm(html, pageUrl) {
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const inner = m[2];
    if (!/type\s*=\s*"?password/i.test(inner)) continue;
    const form = attrs(m[1]);
    const fields = {};
    for (const im of inner.matchAll(/<input\b([^>]*)>/gi)) {
      const a = attrs(im[1]);
      if (a.name) fields[a.name] = a.value ?? '';
    }
    const labels = {};
    for (const lm of inner.matchAll(/<label\b([^>]*)>([\s\S]*?)<\/label>/gi)) {
      const a = attrs(lm[1]);
      if (a.for) labels[a.for] = decodeEntities(lm[2].replace(/<[^>]*>/g, '')).trim();
    }
    const buttons = [...inner.matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/gi)].map((b) =>
      decodeEntities(b[1].replace(/<[^>]*>/g, '')).trim());
    return {
      action: new URL(form.action || pageUrl, pageUrl).href,
      method: (form.method || 'get').toUpperCase(),
      fields, labels, buttons,
    };
  }
  return null;
}

// parseConsentForm finds the consent form (action /login/consent): its hidden inputs, the
// checkboxes left ticked, and its buttons.
function parseConsentForm(html, pageUrl) {
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const form = attrs(m[1]);
    if (!(form.action || '').endsWith('/login/consent')) continue;
    const fields = [];
    for (const im of m[2].matchAll(/<input\b([^>]*)>/gi)) {
      const a = attrs(im[1]);
      if (!a.name) continue;
      if (a.type === 'checkbox' && !('checked' in a)) continue;
      fields.push([a.name, a.value ?? 'on']);
    }
    const buttons = [...m[2].matchAll(/<button\b[^>]*>([\s\S]*?)<\/button>/gi)].map((b) =>
      decodeEntities(b[1].replace(/<[^>]*>/g, '')).trim());
    return { action: new URL(form.action, pageUrl).href, method: (form.method || 'get').toUpperCase(), fields, buttons };
  }
  return null;
}

// parseAutoPostForm finds a form_post page: one post form that a script or the body's onload
// submits.
function parseAutoPostForm(html, pageUrl) {
  const forms = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
  const submits = /<script\b[^>]*>[^<]*\.submit\(\)/i.test(html) || /<body\b[^>]*onload="[^"]*\.submit\(\)/i.test(html);
  if (forms.length !== 1 || !submits) return null;
  const form = attrs(forms[0][1]);
  if ((form.method || '').toLowerCase() !== 'post') return null;
  const fields = new URLSearchParams();
  for (const im of forms[0][2].matchAll(/<input\b([^>]*)>/gi)) {
    const a = attrs(im[1]);
    if (a.name) fields.append(a.name, a.value ?? '');
  }
  return { action: new URL(form.action, pageUrl).href, fields };
}

// --- the relying party ---
const config = await client.discovery(
  new URL(issuer),
  clientId,
  { client_secret: clientSecret, token_endpoint_auth_method: 'client_secret_basic' },
  client.ClientSecretBasic(clientSecret),
  { execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks], timeout: REQUEST_TIMEOUT_MS / 1000 },
);
const meta = config.serverMetadata();

const codeVerifier = client.randomPKCECodeVerifier();
const codeChallenge = await client.calculatePKCECodeChallenge(codeVerifier);
const state = client.randomState();
const nonce = client.randomNonce();
const authURL = client.buildAuthorizationUrl(config, {
  redirect_uri: redirectUri,
  scope: 'openid profile email phone offline_access',
  code_challenge: codeChallenge,
  code_challenge_method: 'S256',
  state,
  nonce,
  ...(responseMode ? { response_mode: responseMode } : {}),
});

let { res, body, redirect } = await follow(await browse(authURL.href));
if (redirect) throw new Error(`expected the login form, the provider redirected to ${redirect}`);
const form = parseLoginForm(body, res.url || authURL.href);
if (!form) throw new Error(`no login form on ${res.status} page: ${body.slice(0, 400)}`);
const loginField = Object.entries(form.labels).find(([, text]) => text === 'Телефон / Email / СНИЛС / ИНН')?.[0];
const passwordField = Object.entries(form.labels).find(([, text]) => text === 'Пароль')?.[0];
if (!loginField || !passwordField) throw new Error('login form labels not found: ' + JSON.stringify(form.labels));
if (!form.buttons.includes('Войти')) throw new Error('no «Войти» button: ' + JSON.stringify(form.buttons));
const submitted = new URLSearchParams(form.fields);
submitted.set(loginField, login);
submitted.set(passwordField, password);
({ res, body, redirect } = await follow(
  await browse(form.action, {
    method: form.method,
    body: submitted,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: issuerOrigin, referer: res.url || authURL.href },
  }),
));
// the first login to this service asks for consent: approve with every box left ticked, as a
// citizen pressing «Предоставить» would.
let consentShown = false;
if (!redirect) {
  const cf = parseConsentForm(body, res.url || authURL.href);
  if (cf) {
    consentShown = true;
    if (!cf.buttons.includes('Предоставить')) throw new Error('no «Предоставить» button: ' + JSON.stringify(cf.buttons));
    const answer = new URLSearchParams(cf.fields);
    answer.set('decision', 'allow');
    ({ res, body, redirect } = await follow(
      await browse(cf.action, {
        method: cf.method,
        body: answer,
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: issuerOrigin, referer: res.url },
      }),
    ));
  }
}
// form_post: the page's only form posts the response to the relying party; the library gets
// that POST as the Request a server would receive.
let callback = redirect;
let callbackParams = redirect?.searchParams;
if (!redirect && responseMode === 'form_post') {
  const posted = parseAutoPostForm(body, res.url || authURL.href);
  if (!posted) throw new Error(`no auto-posting form: ${res.status} ${body.slice(0, 400)}`);
  if (!posted.action.startsWith(redirectUri)) throw new Error(`form posts to ${posted.action}, expected ${redirectUri}`);
  callbackParams = posted.fields;
  callback = new Request(posted.action, {
    method: 'POST',
    body: posted.fields,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
} else {
  if (!redirect) throw new Error(`login did not redirect back: ${res.status} ${body.slice(0, 400)} trail: ${trail.join(' | ')}`);
  if (!redirect.href.startsWith(redirectUri)) throw new Error(`redirected to ${redirect}, expected ${redirectUri}`);
}

// the exchange: state, PKCE, nonce, iss (RFC 9207) and the ID token's signature, iss, aud, exp...
const tokens = await client.authorizationCodeGrant(config, callback, {
  pkceCodeVerifier: codeVerifier,
  expectedState: state,
  expectedNonce: nonce,
  idTokenExpected: true,
});
const claims = tokens.claims();
const header = JSON.parse(Buffer.from(tokens.id_token.split('.')[0], 'base64url').toString());
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);

let refresh = null;
if (tokens.refresh_token) {
  const next = await client.refreshTokenGrant(config, tokens.refresh_token);
  const nextClaims = next.claims?.();
  refresh = {
    access_token_changed: next.access_token !== tokens.access_token,
    refresh_token_rotated: !!next.refresh_token && next.refresh_token !== tokens.refresh_token,
    id_token: nextClaims ? { sub: nextClaims.sub, iss: nextClaims.iss, aud: nextClaims.aud } : null,
  };
  // the new access token works at userinfo too
  const ui2 = await client.fetchUserInfo(config, next.access_token, claims.sub);
  refresh.userinfo_sub = ui2.sub;
}

const jwks = client.getJwksCache(config);
console.log(JSON.stringify({
  discovery: {
    issuer: meta.issuer,
    authorization_response_iss_parameter_supported: meta.authorization_response_iss_parameter_supported ?? null,
    code_challenge_methods_supported: meta.code_challenge_methods_supported ?? null,
  },
  login_form: { action: form.action, method: form.method, labels: Object.values(form.labels), buttons: form.buttons },
  consent_shown: consentShown,
  callback: {
    response_mode: responseMode || 'query',
    has_code: callbackParams.has('code'),
    state_ok: callbackParams.get('state') === state,
    iss: callbackParams.get('iss'),
  },
  token_type: tokens.token_type,
  scope: tokens.scope ?? null,
  has_refresh_token: !!tokens.refresh_token,
  id_token_header: { alg: header.alg, kid: header.kid ?? null },
  id_token: claims,
  jwks_keys_used: jwks?.jwks?.keys?.length ?? 0,
  userinfo,
  refresh,
  trail,
}));
