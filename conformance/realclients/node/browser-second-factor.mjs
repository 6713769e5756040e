// The second-factor journey in headless Chromium: the relying party's «Войти через Госуслуги», the
// emulator's login form with the password of a citizen asked for an SMS code at every login, the
// «Подтверждение входа» page, the code read from the emulator's /outbox page in a second tab of
// the same browser, the code entered in the first tab, consent, and the relying party's claims
// page. Prints one JSON object on stdout; on failure saves screenshots and the HTML of both tabs
// in <artifacts_dir> and exits non-zero (browser-harness.mjs).
//
//   node browser-second-factor.mjs <rp_url> <login> <password> <expect_text> <profile_dir> <artifacts_dir>
import { args, normalPhone, runJourney } from './browser-harness.mjs';

const a = args('browser-second-factor.mjs', ['rp_url', 'login', 'password', 'expect_text', 'profile_dir', 'artifacts_dir']);

await runJourney({ artifact: 'realclients-browser-second-factor', profileDir: a.profile_dir, artifactsDir: a.artifacts_dir }, async (h) => {
  const { page } = h;
  const loginPage = await h.openLogin(a.rp_url);
  await h.logIn(a.login, a.password);

  h.step('wait for the code page');
  const codeBox = page.getByLabel('Код', { exact: true });
  const outcome = await h.race({ code: codeBox.waitFor({ state: 'visible' }), alert: h.waitForAlert() });
  if (outcome === 'alert') throw new Error(`the login page shows an error instead of asking for the code: ${JSON.stringify(await h.alertText())}`);
  const codePage = {
    url: page.url(),
    title: await page.title(),
    heading: (await page.locator('h1').first().innerText()).trim(),
    text: await page.locator('body').innerText(),
  };

  const outbox = await h.readOutboxCode(new URL(page.url()).origin, normalPhone(a.login));
  await h.enterCode(outbox.code);

  const claims = await h.afterLogin(new URL(a.rp_url).origin);
  if (!claims.text.includes(a.expect_text)) throw new Error(`the claims page does not show ${JSON.stringify(a.expect_text)}`);
  return { login_page: loginPage, code_page: codePage, outbox, ...claims };
});
