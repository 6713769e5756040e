// Every citizen page in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
// at 1280×800 and 390×844, in a browser whose language is English: each page is reached the way
// a citizen reaches it (a relying party's login, a wrong request, the account's tabs…), then
// measured inside the page: the document language, English words left on a Russian page,
// horizontal overflow, the next actions (enabled links and buttons in <main>), and the serious
// and critical violations axe-core (the npm package, evaluated in the page) reports. A
// full-page screenshot of each is saved as <artifacts_dir>/pages-<name>-<viewport>.png. Prints
// one JSON object on stdout: {pages: [...], console_errors: [...], blocked: [...]}; the Go test
// asserts on it.
//
//   node browser-pages.mjs <spec_json> <artifacts_dir>
//
// spec: {issuer, rp_login, level_url, role_url, documents_url, personas: {consent, code, level, suspended, account, notice,
//        simplified, states}, password, outbox_to, admin_token, qr_persona}
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [specJSON, artifactsDir] = process.argv.slice(2);
if (!specJSON || !artifactsDir) {
  console.error('usage: node browser-pages.mjs <spec_json> <artifacts_dir>');
  process.exit(2);
}
const spec = JSON.parse(specJSON);
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
mkdirSync(artifactsDir, { recursive: true });

const STEP_TIMEOUT_MS = 15_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const VIEWPORTS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };

const consoleErrors = [];
const blocked = [];
let current = 'launch';

// measure runs in the page: what the Go test asserts on.
// Text not checked for its language: code and samples, proper names marked translate="no" (a
// service's configured name, a browser's User-Agent), and anything marked with another lang.
// "Email" is the word Gosuslugi itself writes on its login form («Телефон / Email / СНИЛС»).
function measure([expectLang, width]) {
  const allowed = new Set(['Email']);
  const skip = (el) => el.closest('code, pre, kbd, samp, script, style, noscript, [hidden], [translate="no"]') ||
    (el.closest('[lang]') && el.closest('[lang]').getAttribute('lang') !== expectLang);
  const words = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || skip(el)) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    for (let tok of n.textContent.split(/\s+/)) {
      tok = tok.replace(/^[(«"'“„\[]+|[)»"'”\],.;:!?…]+$/g, '');
      if (expectLang === 'ru' && /^[A-Za-z]{3,}$/.test(tok) && !allowed.has(tok)) words.add(tok);
      if (expectLang === 'en' && /[\u0400-\u04FF]/.test(tok)) words.add(tok);
    }
  }
  const main = document.querySelector('main') || document.body;
  const actions = [...main.querySelectorAll('a[href], button, input[type=submit]')]
    .filter((el) => !el.disabled && el.getClientRects().length > 0)
    .map((el) => el.textContent.trim() || el.value || el.getAttribute('aria-label') || el.tagName);
  return {
    lang: document.documentElement.lang,
    title: document.title,
    h1: document.querySelector('h1')?.textContent.trim() ?? '',
    foreign_words: [...words],
    // against the viewport's CSS width, not innerWidth: a mobile browser widens its layout
    // viewport to fit content that overflows, which would hide the overflow.
    overflow_px: Math.max(0, Math.ceil(Math.max(document.documentElement.scrollWidth,
      ...[...document.body.querySelectorAll('*')].filter((el) => el.getClientRects().length > 0)
        .map((el) => el.getBoundingClientRect().right + window.scrollX)) - width)),
    actions,
  };
}

async function check(page, name, viewport, expectLang = 'ru') {
  current = `${name} (${viewport})`;
  await page.waitForLoadState('load');
  const shot = join(artifactsDir, `pages-${name}-${viewport}.png`);
  await page.screenshot({ path: shot, fullPage: true });
  const m = await page.evaluate(measure, [expectLang, VIEWPORTS[viewport].width]);
  await page.evaluate(axeSource);
  const axe = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return {
      rules: r.passes.length + r.violations.length + r.incomplete.length,
      serious: r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })),
    };
  });
  return { name, viewport, url: page.url(), screenshot: shot, expect_lang: expectLang, axe: axe.serious, axe_rules: axe.rules, ...m };
}

async function logIn(page, login) {
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(spec.password);
  await page.locator('form[action="/login"] button[type=submit]').first().click();
  await page.waitForLoadState('load');
}

// Each scenario gets a fresh browser context (no cookies) and returns the pages it measured.
const scenarios = {
  async consent(page, vp) {
    await page.goto(spec.rp_login);
    const out = [await check(page, 'login', vp)];
    if (await page.locator('a.langlink').count()) { // without the link the Go test reports login-en as not visited
      await page.locator('a.langlink').click();
      out.push(await check(page, 'login-en', vp, 'en'));
      await page.locator('a.langlink').click(); // back to Russian, remembered
    }
    await logIn(page, spec.personas.consent);
    out.push(await check(page, 'consent', vp));
    return out;
  },
  async role(page, vp) { // an ESIA login with usr_org by a person with organisation roles
    await page.goto(spec.role_url);
    await logIn(page, spec.personas.consent);
    return [await check(page, 'role', vp)];
  },
  async code(page, vp) {
    await page.goto(spec.rp_login);
    await logIn(page, spec.personas.code);
    return [await check(page, 'code', vp)];
  },
  async level(page, vp) {
    await page.goto(spec.level_url);
    await logIn(page, spec.personas.level);
    return [await check(page, 'level-too-low', vp)];
  },
  async suspended(page, vp) {
    await page.goto(spec.rp_login);
    await logIn(page, spec.personas.suspended);
    return [await check(page, 'suspended', vp)];
  },
  async notice(page, vp) {
    await page.goto(spec.rp_login);
    await logIn(page, spec.personas.notice);
    return [await check(page, 'needs-confirmation', vp)];
  },
  async documents(page, vp) {
    await page.goto(spec.documents_url);
    await logIn(page, spec.personas.simplified);
    return [await check(page, 'consent-simplified', vp)];
  },
  async account(page, vp) {
    await page.goto(spec.issuer + '/account');
    await logIn(page, spec.personas.account);
    const out = [];
    for (const [name, path] of [['account-profile', '/account'], ['account-access', '/account/access'],
      ['account-history', '/account/history'], ['account-sessions', '/account/sessions'], ['account-security', '/account/security'],
      ['account-agreements', '/account/agreements']]) {
      await page.goto(spec.issuer + path);
      out.push(await check(page, name, vp));
    }
    return out;
  },
  // «Войти другим способом» and the QR page; the app's scan (the admin call) makes the page
  // move on by itself (its event stream) to the consent page.
  async methods(page, vp) {
    await page.goto(spec.rp_login);
    await page.locator('#login-other').click();
    await page.waitForLoadState('load');
    const out = [await check(page, 'login-methods', vp)];
    const methods = page.url();
    // The e-signature page (this stand has no test CA: it offers the test certificates).
    await page.goto(spec.issuer + '/login/ds?authRequestID=' + new URL(methods).searchParams.get('authRequestID'));
    out.push(await check(page, 'login-ds', vp));
    await page.goto(methods);
    await page.locator('a[href^="/login/qr"]').click();
    await page.waitForLoadState('load');
    await page.locator('#qr').waitFor();
    out.push(await check(page, 'login-qr', vp));
    const qr = (await page.locator('#qr-text').textContent()).trim();
    const moved = page.waitForURL((u) => !u.pathname.startsWith('/login/qr'), { timeout: STEP_TIMEOUT_MS });
    const r = await fetch(spec.issuer + '/admin/api/qr/scan', { method: 'POST', headers: { Authorization: 'Bearer ' + spec.admin_token },
      body: JSON.stringify({ qr, persona: spec.qr_persona }) });
    if (r.status !== 200) throw new Error(`scan: ${r.status} ${await r.text()}`);
    await moved; // the page went on by itself (no click, no reload by the test)
    out.push(await check(page, 'login-qr-scanned', vp));
    return out;
  },
  // The account's harder states: the authenticator enrolment after a wrong code (the key kept)
  // and the profile after a registry refused the passport (a failure with «Исправить»).
  async states(page, vp) {
    await page.goto(spec.issuer + '/account/security');
    await logIn(page, spec.personas.states);
    await page.locator('button[value="totp-start"]').click();
    await page.waitForLoadState('load');
    await page.locator('#code').fill('000000');
    await page.locator('form:has(input[value="totp-confirm"]) button[type=submit]').click();
    await page.waitForLoadState('load');
    const out = [await check(page, 'account-totp-wrong-code', vp)];
    await page.goto(spec.issuer + '/account?edit=1');
    await page.locator('#birth_date').fill('31.01.1985');
    await page.locator('#passport_series').fill('4510');
    await page.locator('#passport_number').fill('000111'); // refused by the interior ministry's default rule
    await page.locator('#passport_date').fill('20.05.2010');
    await page.locator('form[action="/account/profile"] button[type=submit]').click();
    await page.waitForLoadState('load');
    out.push(await check(page, 'account-profile-failed', vp));
    return out;
  },
  // last, so the outbox holds the code scenario's SMS
  async simple(page, vp) {
    const out = [];
    for (const [name, path] of [
      ['home', '/'], ['404', '/no-such-page'], ['logged-out', '/logged-out'], ['error', '/login'],
      ['timed-out', '/login?authRequestID=gone'], ['register', '/register'], ['recover', '/recover'],
      ['outbox', '/outbox?to=' + encodeURIComponent(spec.outbox_to)],
    ]) {
      await page.goto(spec.issuer + path);
      out.push(await check(page, name, vp));
    }
    return out;
  },
};

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  timeout: STEP_TIMEOUT_MS,
});
const pages = [];
try {
  for (const [vp, viewport] of Object.entries(VIEWPORTS)) {
    for (const [name, run] of Object.entries(scenarios)) {
      current = `${name} (${vp})`;
      // An English browser: Accept-Language en-US, navigator.language en-US.
      const context = await browser.newContext({ viewport, locale: 'en-US', deviceScaleFactor: 1, isMobile: vp === 'phone', hasTouch: vp === 'phone' });
      context.setDefaultTimeout(STEP_TIMEOUT_MS);
      await context.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if ((u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK.has(u.hostname)) return route.continue();
        blocked.push(u.href);
        return route.abort('blockedbyclient');
      });
      const page = await context.newPage();
      // An error page's own status (400, 403, 404) is logged as "Failed to load resource"; the
      // statuses are the e2e tests' business, every other console error is reported.
      page.on('console', (m) => {
        if (m.type() === 'error' && !m.text().startsWith('Failed to load resource: the server responded with a status of')) consoleErrors.push(`${current}: ${m.text()}`);
      });
      page.on('pageerror', (e) => consoleErrors.push(`${current}: ${e}`));
      try {
        pages.push(...(await run(page, vp)));
      } catch (err) {
        await page.screenshot({ path: join(artifactsDir, `pages-FAILED-${name}-${vp}.png`), fullPage: true }).catch(() => {});
        throw new Error(`scenario ${name} (${vp}) at ${page.url()}: ${err?.message ?? err}`);
      } finally {
        await context.close();
      }
    }
  }
} catch (err) {
  console.error(`browser-pages failed at ${current}: ${err?.stack ?? err}`);
  await browser.close();
  process.exit(1);
}
await browser.close();
console.log(JSON.stringify({ pages, console_errors: consoleErrors, blocked }));
