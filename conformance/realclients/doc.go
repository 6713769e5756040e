// Package realclients runs real relying parties against the emulator: the Node openid-client
// library (a confidential client with ID-token signature checks on) and a headless Chromium
// driven by playwright-core through a Go relying party's «Войти через Госуслуги» journeys: a
// password login, a registration from the login page, and a login with an SMS second factor (the
// codes read from the emulator's /outbox page in a second tab).
//
// The tests need node, the npm packages pinned in node/package-lock.json and Debian chromium;
// `bash .ci/install-deps` (run by `make test`) installs them. Without them the tests skip, unless
// ESIA_REQUIRE_BROWSER=1 or CI is set, in which case they fail. Failure screenshots and page HTML
// go to test-artifacts/ at the repository root.
package realclients
