// A citizen's journey in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core):
// open the relying party, click «Войти через Госуслуги», fill the emulator's login form, click
// «Войти», grant consent, and read the claims page the relying party shows. Every non-loopback
// request is aborted. Prints one JSON object on stdout; on failure saves a screenshot and the page
// HTML in <artifacts_dir> and exits non-zero (browser-harness.mjs).
//
//   node browser-journey.mjs <rp_url> <login> <password> <expect_text> <profile_dir> <artifacts_dir>
import { args, runJourney } from './browser-harness.mjs';

const a = args('browser-journey.mjs', ['rp_url', 'login', 'password', 'expect_text', 'profile_dir', 'artifacts_dir']);

await runJourney({ artifact: 'realclients-browser-journey', profileDir: a.profile_dir, artifactsDir: a.artifacts_dir }, async (h) => {
  const loginPage = await h.openLogin(a.rp_url);
  await h.logIn(a.login, a.password);
  const claims = await h.afterLogin(new URL(a.rp_url).origin);
  if (!claims.text.includes(a.expect_text)) throw new Error(`the claims page does not show ${JSON.stringify(a.expect_text)}`);
  return { login_page: loginPage, ...claims };
});
