// A citizen's journey in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// open the relying party, click «Войти через Госуслуги», fill the emulator's login form, click
// «Войти», and read the claims page the relying party shows. Every non-loopback request is
// aborted. Prints one JSON object on stdout; on failure saves a screenshot and the page HTML in
// <artifacts_dir> and exits non-zero.
//
//   node browser-journey.mjs <rp_url> <login> <password> <expect_text> <profile_dir> <artifacts_dir>
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const [rpURL, login, password, expectText, profileDir, artifactsDir] = process.argv.slice(2);
if (!rpURL || !login || !password || !expectText || !profileDir || !artifactsDir) {
  console.error('usage: node browser-journey.mjs <rp_url> <login> <password> <expect_text> <profile_dir> <artifacts_dir>');
  process.exit(2);
}
const STEP_TIMEOUT_MS = 15_000;
const ARTIFACT = 'realclients-browser-journey';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const blocked = [];
const consoleErrors = [];
const steps = [];
let context;
let page;

// A hard deadline below the Go test's, so there is still time to save the artifacts.
const deadline = setTimeout(() => fail(new Error('deadline exceeded')), 40_000);

async function saveArtifacts() {
  const saved = [];
  if (!page) return saved;
  try {
    mkdirSync(artifactsDir, { recursive: true });
    const png = join(artifactsDir, ARTIFACT + '.png');
    await page.screenshot({ path: png, fullPage: true, timeout: 5_000 });
    saved.push(png);
  } catch (e) {
    console.error('screenshot failed:', e.message);
  }
  try {
    const html = join(artifactsDir, ARTIFACT + '.html');
    writeFileSync(html, `<!-- ${page.url()} -->\n` + (await page.content()));
    saved.push(html);
  } catch (e) {
    console.error('saving the page HTML failed:', e.message);
  }
  return saved;
}

let failing = false;
async function fail(err) {
  if (failing) return;
  failing = true;
  const saved = await saveArtifacts();
  console.error(`browser journey failed at step ${JSON.stringify(steps.at(-1) ?? 'launch')}: ${err?.stack ?? err}`);
  console.error('url: ' + (page ? page.url() : '(no page)'));
  console.error('steps: ' + JSON.stringify(steps));
  if (blocked.length) console.error('blocked non-loopback requests: ' + JSON.stringify(blocked));
  if (consoleErrors.length) console.error('console errors: ' + JSON.stringify(consoleErrors));
  console.error('artifacts: ' + (saved.length ? saved.join(' ') : '(none saved)'));
  await context?.close().catch(() => {});
  process.exit(1);
}

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => fail(new Error('killed by ' + sig)));
}

try {
  steps.push('launch chromium');
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    locale: 'ru-RU',
    timeout: STEP_TIMEOUT_MS,
    handleSIGTERM: false, // fail() saves the artifacts, then closes the browser
    handleSIGINT: false,
  });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if ((u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK.has(u.hostname)) return route.continue();
    blocked.push(u.href);
    return route.abort('blockedbyclient');
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));

  steps.push('open the relying party');
  await page.goto(rpURL, { waitUntil: 'load' });
  const rpOrigin = new URL(rpURL).origin;

  steps.push('click «Войти через Госуслуги»');
  await page.getByRole('link', { name: 'Войти через Госуслуги' }).click();

  steps.push('wait for the login form');
  const loginBox = page.getByLabel('Телефон / Email / СНИЛС', { exact: true });
  await loginBox.waitFor({ state: 'visible' });
  const loginPageURL = page.url();
  const loginPageTitle = await page.title();

  steps.push('fill the login form');
  await loginBox.fill(login);
  await page.getByLabel('Пароль', { exact: true }).fill(password);

  steps.push('click «Войти»');
  await page.getByRole('button', { name: 'Войти', exact: true }).click();

  steps.push('wait for the consent page or the relying party');
  // the first login to this service asks for consent; then back at the cabinet — or the
  // emulator's error alert (wrong password, refused login) at once.
  const grant = page.getByRole('button', { name: 'Предоставить', exact: true });
  const backAtRP = () => page.waitForURL((u) => u.origin === rpOrigin && u.pathname === '/callback', { waitUntil: 'load' }).then(() => 'rp');
  const alerted = () => page.locator('[role="alert"]').first().waitFor({ state: 'visible' }).then(() => 'alert');
  let outcome = await Promise.race([backAtRP(), alerted(), grant.waitFor({ state: 'visible' }).then(() => 'consent')]);
  let consentShown = false;
  if (outcome === 'consent') {
    consentShown = true;
    steps.push('click «Предоставить» on the consent page');
    await grant.click();
    outcome = await Promise.race([backAtRP(), alerted()]);
  }
  if (outcome === 'alert') {
    const alert = (await page.locator('[role="alert"]').first().innerText()).trim();
    throw new Error(`the login page shows an error instead of returning to the cabinet: ${JSON.stringify(alert)}`);
  }
  const claims = page.locator('[data-claims]');
  await claims.waitFor({ state: 'visible' });

  steps.push('read the claims page');
  const text = await page.locator('body').innerText();
  const name = (await page.locator('#claim-name').textContent())?.trim() ?? '';
  const oid = (await page.locator('#claim-oid').textContent())?.trim() ?? '';
  if (!text.includes(expectText)) throw new Error(`the claims page does not show ${JSON.stringify(expectText)}`);

  const result = {
    consent_shown: consentShown,
    login_page: { url: loginPageURL, title: loginPageTitle },
    final_url: page.url(),
    title: await page.title(),
    name,
    oid,
    text,
    blocked,
    console_errors: consoleErrors,
    steps,
  };
  await context.close();
  clearTimeout(deadline);
  console.log(JSON.stringify(result));
} catch (err) {
  await fail(err);
}
