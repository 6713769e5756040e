// The demo cabinets (esia-emulator demo) in headless Chromium: for each cabinet «Войти через
// Госуслуги», the emulator's login form, consent, the cabinet's data page, «Выйти» — and at the
// disability registry first a standard account: the emulator's level page, «Вернуться на сайт»
// and the registry's own explanation. Screenshots of every cabinet page go to
// <artifacts_dir>/demo-*.png. Prints one JSON object on stdout (browser-harness.mjs).
//
//   node browser-demo.mjs <spec_json> <profile_dir> <artifacts_dir>
import { join } from 'node:path';
import { args, runJourney } from './browser-harness.mjs';

const a = args('browser-demo.mjs', ['spec_json', 'profile_dir', 'artifacts_dir']);
const spec = JSON.parse(a.spec_json); // {sfr, fri, socprot, confirmed, standard, password}

await runJourney({ artifact: 'demo-failure', profileDir: a.profile_dir, artifactsDir: a.artifacts_dir }, async (h) => {
  const { page } = h;
  const shot = async (name) => page.screenshot({ path: join(a.artifacts_dir, `demo-${name}.png`), fullPage: true });
  const text = async (sel) => ((await page.locator(sel).first().innerText()) || '').trim();

  // signIn: the cabinet's button, then the login form unless Gosuslugi's session is still open.
  async function signIn(cabinet, login) {
    h.step(`open ${cabinet}`);
    await page.goto(cabinet, { waitUntil: 'load' });
    h.step('click «Войти через Госуслуги»');
    await page.getByRole('link', { name: 'Войти через Госуслуги' }).click();
    await h.logInFormOrNot(login);
  }
  h.logInFormOrNot = async (login) => {
    h.step('wait for the login form');
    await page.getByLabel('Телефон / Email / СНИЛС / ИНН', { exact: true }).waitFor({ state: 'visible' });
    await h.logIn(login, spec.password);
  };
  async function consentAndHome(cabinet) {
    h.step('click «Предоставить» on the consent page');
    await page.getByRole('button', { name: 'Предоставить', exact: true }).click();
    h.step('wait for the cabinet\'s data page');
    await page.waitForURL((u) => u.origin === new URL(cabinet).origin && u.pathname === '/', { waitUntil: 'load' });
    await page.getByRole('button', { name: 'Выйти' }).waitFor({ state: 'visible' });
    return { url: page.url(), greeting: await text('h2'), body: await page.locator('main').innerText() };
  }
  async function signOut(cabinet) {
    h.step('click «Выйти»');
    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.waitForURL((u) => u.origin === new URL(cabinet).origin && u.search.includes('notice=logged-out'), { waitUntil: 'load' });
    return text('#notice');
  }

  const out = {};
  for (const name of ['sfr', 'socprot']) {
    await signIn(spec[name], spec.confirmed);
    const home = await consentAndHome(spec[name]);
    await shot(name);
    out[name] = { ...home, logged_out: await signOut(spec[name]) };
    await shot(name + '-logged-out');
  }

  await signIn(spec.fri, spec.standard);
  h.step('wait for the emulator\'s level page');
  const back = page.getByRole('button', { name: 'Вернуться на сайт', exact: true });
  await back.waitFor({ state: 'visible' });
  const levelPage = await page.locator('main').innerText();
  await back.click();
  h.step('wait for the registry\'s explanation');
  await page.locator('#level').waitFor({ state: 'visible' });
  await shot('fri-level');
  out.fri_level = { emulator: levelPage, cabinet: await text('#level') };

  h.step('log in with a confirmed account');
  await page.getByRole('link', { name: 'Войти с другой учётной записью' }).click();
  await h.logInFormOrNot(spec.confirmed);
  const fri = await consentAndHome(spec.fri);
  await shot('fri');
  out.fri = { ...fri, logged_out: await signOut(spec.fri) };
  return out;
});
