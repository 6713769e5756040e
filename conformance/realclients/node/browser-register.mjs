// The registration journey in headless Chromium: the relying party's «Войти через Госуслуги», the
// emulator's login form, «Зарегистрироваться», the registration form, the confirmation-code page,
// the code read from the emulator's /outbox page in a second tab of the same browser, the code
// entered in the first tab, consent, and the relying party's claims page with the new citizen.
// Prints one JSON object on stdout; on failure saves screenshots and the HTML of both tabs in
// <artifacts_dir> and exits non-zero (browser-harness.mjs).
//
//   node browser-register.mjs <rp_url> <last_name> <first_name> <middle_name> <phone> <email> <password> <profile_dir> <artifacts_dir>
import { args, normalPhone, runJourney } from './browser-harness.mjs';

const a = args('browser-register.mjs',
  ['rp_url', 'last_name', 'first_name', 'middle_name', 'phone', 'email', 'password', 'profile_dir', 'artifacts_dir']);
const fullName = [a.last_name, a.first_name, a.middle_name].join(' ');

await runJourney({ artifact: 'realclients-browser-register', profileDir: a.profile_dir, artifactsDir: a.artifacts_dir }, async (h) => {
  const { page } = h;
  const loginPage = await h.openLogin(a.rp_url);

  h.step('click «Зарегистрироваться» on the login page');
  await page.getByRole('link', { name: 'Зарегистрироваться', exact: true }).click();

  h.step('wait for the registration form');
  const lastName = page.getByLabel('Фамилия', { exact: true });
  await lastName.waitFor({ state: 'visible' });
  const registerPage = { url: page.url(), title: await page.title() };

  h.step('fill the registration form');
  await lastName.fill(a.last_name);
  await page.getByLabel('Имя', { exact: true }).fill(a.first_name);
  await page.getByLabel('Отчество (при наличии)', { exact: true }).fill(a.middle_name);
  await page.getByLabel('Мобильный телефон', { exact: true }).fill(a.phone);
  await page.getByLabel('Электронная почта', { exact: true }).fill(a.email);
  await page.getByLabel('Пароль', { exact: true }).fill(a.password);
  await page.getByLabel('Повторите пароль', { exact: true }).fill(a.password);
  await page.getByLabel('Я принимаю условия пользовательского соглашения', { exact: true }).check();
  await page.getByLabel('Я даю согласие на обработку персональных данных', { exact: true }).check();

  h.step('click «Зарегистрироваться» on the registration form');
  await page.getByRole('button', { name: 'Зарегистрироваться', exact: true }).click();

  h.step('wait for the confirmation-code page');
  const codeBox = page.getByLabel('Код', { exact: true });
  const outcome = await h.race({ code: codeBox.waitFor({ state: 'visible' }), alert: h.waitForAlert() });
  if (outcome === 'alert') throw new Error(`the registration form was refused: ${JSON.stringify(await h.alertText())}`);
  const codePage = {
    url: page.url(),
    title: await page.title(),
    heading: (await page.locator('h1').first().innerText()).trim(),
    text: await page.locator('body').innerText(),
  };

  const outbox = await h.readOutboxCode(new URL(page.url()).origin, normalPhone(a.phone));
  await h.enterCode(outbox.code);

  const claims = await h.afterLogin(new URL(a.rp_url).origin);
  if (!claims.text.includes(fullName)) throw new Error(`the claims page does not show ${JSON.stringify(fullName)}`);
  return { login_page: loginPage, register_page: registerPage, code_page: codePage, outbox, ...claims };
});
