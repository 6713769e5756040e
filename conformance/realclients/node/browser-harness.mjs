// The shared part of the headless-Chromium journeys (browser-*.mjs): Debian's /usr/bin/chromium
// driven by playwright-core with a persistent profile, every non-loopback request aborted, console
// errors collected from every tab, a hard deadline, and on failure a screenshot and the HTML of
// every open tab saved in <artifacts_dir> before a non-zero exit. A journey is an async function
// given the helpers below; what it returns is printed as one JSON line on stdout (with the
// blocked requests, console errors and steps added).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const STEP_TIMEOUT_MS = 15_000;
// A hard deadline below the Go test's, so there is still time to save the artifacts.
const DEADLINE_MS = 40_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

// args returns the command-line arguments named in names, or exits with the usage line.
export function args(script, names) {
  const vals = process.argv.slice(2);
  if (vals.length !== names.length || vals.some((v) => !v)) {
    console.error(`usage: node ${script} ${names.map((n) => `<${n}>`).join(' ')}`);
    process.exit(2);
  }
  return Object.fromEntries(names.map((n, i) => [n, vals[i]]));
}

// runJourney launches Chromium and runs journey(h); artifact names the failure files
// (<artifact>.png/.html for the first tab, <artifact>-<label>.png/.html for the others).
export async function runJourney({ artifact, profileDir, artifactsDir }, journey) {
  const blocked = [];
  const consoleErrors = [];
  const steps = [];
  const tabs = []; // {label, page}
  let context;
  let failing = false;

  async function saveArtifacts() {
    const saved = [];
    try {
      mkdirSync(artifactsDir, { recursive: true });
    } catch (e) {
      console.error('artifacts folder:', e.message);
      return saved;
    }
    for (const { label, page } of tabs) {
      if (page.isClosed()) continue;
      const base = join(artifactsDir, artifact + (label ? '-' + label : ''));
      try {
        await page.screenshot({ path: base + '.png', fullPage: true, timeout: 5_000 });
        saved.push(base + '.png');
      } catch (e) {
        console.error(`screenshot of ${label || 'the first tab'} failed:`, e.message);
      }
      try {
        writeFileSync(base + '.html', `<!-- ${page.url()} -->\n` + (await page.content()));
        saved.push(base + '.html');
      } catch (e) {
        console.error(`saving the HTML of ${label || 'the first tab'} failed:`, e.message);
      }
    }
    return saved;
  }

  async function fail(err) {
    if (failing) return;
    failing = true;
    const saved = await saveArtifacts();
    console.error(`browser journey failed at step ${JSON.stringify(steps.at(-1) ?? 'launch')}: ${err?.stack ?? err}`);
    for (const { label, page } of tabs) console.error(`url (${label || 'first tab'}): ${page.url()}`);
    if (!tabs.length) console.error('url: (no page)');
    console.error('steps: ' + JSON.stringify(steps));
    if (blocked.length) console.error('blocked non-loopback requests: ' + JSON.stringify(blocked));
    if (consoleErrors.length) console.error('console errors: ' + JSON.stringify(consoleErrors));
    console.error('artifacts: ' + (saved.length ? saved.join(' ') : '(none saved)'));
    await context?.close().catch(() => {});
    process.exit(1);
  }

  const deadline = setTimeout(() => fail(new Error('deadline exceeded')), DEADLINE_MS);
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => fail(new Error('killed by ' + sig)));
  }

  function track(page, label) {
    tabs.push({ label, page });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(`${label || 'tab 1'}: ${m.text()}`); });
    page.on('pageerror', (e) => consoleErrors.push(`${label || 'tab 1'}: ${e}`));
    return page;
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
    const page = track(context.pages()[0] ?? (await context.newPage()), '');

    const h = {
      context,
      page,
      step: (s) => steps.push(s),
      // newTab opens another tab in the same context (same cookies), saved as <artifact>-<label>.
      newTab: async (label) => track(await context.newPage(), label),
      // race resolves to the name of the first of the named waits to succeed.
      race: (waits) => Promise.race(Object.entries(waits).map(([name, p]) => p.then(() => name))),
      alertText: async (p = page) => (await p.locator('[role="alert"]').first().innerText()).trim(),
      waitForAlert: (p = page) => p.locator('[role="alert"]').first().waitFor({ state: 'visible' }),
    };

    // openLogin opens the relying party, clicks «Войти через Госуслуги» and waits for the
    // emulator's login form.
    h.openLogin = async (rpURL) => {
      h.step('open the relying party');
      await page.goto(rpURL, { waitUntil: 'load' });
      h.step('click «Войти через Госуслуги»');
      await page.getByRole('link', { name: 'Войти через Госуслуги' }).click();
      h.step('wait for the login form');
      await page.getByLabel('Телефон / Email / СНИЛС / ИНН', { exact: true }).waitFor({ state: 'visible' });
      return { url: page.url(), title: await page.title() };
    };

    // logIn fills the login form and clicks «Войти».
    h.logIn = async (login, password) => {
      h.step('fill the login form');
      await page.getByLabel('Телефон / Email / СНИЛС / ИНН', { exact: true }).fill(login);
      await page.getByLabel('Пароль', { exact: true }).fill(password);
      h.step('click «Войти»');
      await page.getByRole('button', { name: 'Войти', exact: true }).click();
    };

    // afterLogin: the consent page when the service asks for one («Предоставить»), then back
    // at the relying party's /callback showing the claims — or the emulator's error alert.
    h.afterLogin = async (rpOrigin) => {
      h.step('wait for the consent page or the relying party');
      const grant = page.getByRole('button', { name: 'Предоставить', exact: true });
      const backAtRP = () => page.waitForURL((u) => u.origin === rpOrigin && u.pathname === '/callback', { waitUntil: 'load' });
      let outcome = await h.race({ rp: backAtRP(), alert: h.waitForAlert(), consent: grant.waitFor({ state: 'visible' }) });
      let consentShown = false;
      let consentText = '';
      if (outcome === 'consent') {
        consentShown = true;
        consentText = await page.locator('body').innerText();
        h.step('click «Предоставить» on the consent page');
        await grant.click();
        outcome = await h.race({ rp: backAtRP(), alert: h.waitForAlert() });
      }
      if (outcome === 'alert') {
        throw new Error(`the emulator shows an error instead of returning to the cabinet: ${JSON.stringify(await h.alertText())}`);
      }
      h.step('read the claims page');
      const shown = await h.race({
        claims: page.locator('[data-claims]').waitFor({ state: 'visible' }),
        error: page.locator('#error').waitFor({ state: 'visible' }),
      });
      if (shown === 'error') {
        throw new Error(`the cabinet refused the login: ${JSON.stringify((await page.locator('#error').innerText()).trim())}`);
      }
      const claim = async (id) => (await page.locator('#claim-' + id).textContent())?.trim() ?? '';
      return {
        consent_shown: consentShown,
        consent_text: consentText,
        final_url: page.url(),
        title: await page.title(),
        name: await claim('name'),
        oid: await claim('oid'),
        acr: await claim('acr'),
        amr: (await claim('amr')).split(/\s+/).filter(Boolean),
        level: await claim('level'),
        email: await claim('email'),
        text: await page.locator('body').innerText(),
      };
    };

    // readOutboxCode opens the emulator's public outbox page for one address in a second tab and
    // reads the newest code (the page lists the newest message first), then brings the first tab
    // back to the front.
    h.readOutboxCode = async (origin, to) => {
      h.step(`open the outbox for ${to} in a second tab`);
      const tab = await h.newTab('outbox');
      const url = origin + '/outbox?to=' + encodeURIComponent(to);
      const resp = await tab.goto(url, { waitUntil: 'load' });
      if (!resp?.ok()) throw new Error(`GET ${url}: HTTP ${resp?.status()}`);
      h.step('read the newest code on the outbox page');
      const row = tab.locator('tr', { has: tab.locator('code.code') }).first();
      await row.waitFor({ state: 'visible' });
      const code = (await row.locator('code.code').textContent())?.trim() ?? '';
      const rowText = (await row.innerText()).trim();
      if (!/^\d{4,8}$/.test(code)) throw new Error(`the outbox shows ${JSON.stringify(code)} where a code should be; row: ${JSON.stringify(rowText)}`);
      h.step('back to the first tab');
      await page.bringToFront();
      return { url: tab.url(), title: await tab.title(), code, row: rowText };
    };

    // enterCode fills «Код» in the form holding it and clicks that form's «Подтвердить».
    h.enterCode = async (code) => {
      h.step('enter the code and click «Подтвердить»');
      const box = page.getByLabel('Код', { exact: true });
      await box.fill(code);
      await page.locator('form', { has: box }).getByRole('button', { name: 'Подтвердить', exact: true }).click();
    };

    const result = await journey(h);
    Object.assign(result, { blocked, console_errors: consoleErrors, steps });
    await context.close();
    clearTimeout(deadline);
    console.log(JSON.stringify(result));
  } catch (err) {
    await fail(err);
  }
}

// normalPhone writes a Russian mobile number the way the emulator stores it: +7XXXXXXXXXX.
export function normalPhone(s) {
  let d = s.replace(/\D/g, '');
  if (d.length === 11 && d.startsWith('8')) d = '7' + d.slice(1);
  if (d.length === 10) d = '7' + d;
  return '+' + d;
}
