// Package esiatest runs the ESIA emulator inside a Go test: the whole identity provider —
// OpenID Connect, ESIA's own endpoints (/aas/oauth2/…, /rs/prns), the citizen's login pages —
// on a free loopback port, over an in-memory store, in test mode, stopped when the test ends.
//
//	func TestLogin(t *testing.T) {
//		srv := esiatest.New(t, esiatest.WithClient(esiatest.Client{
//			ID: "my-cabinet", Secret: "my-secret",
//			RedirectURIs: []string{"http://127.0.0.1:9000/callback"},
//		}))
//		provider, err := oidc.NewProvider(ctx, srv.Issuer()) // go-oidc, or any client
//		…
//		citizen := srv.Persona(esiatest.PersonaConfirmedSMS) // logs in with citizen.Login()
//		…                                                    // and esiatest.DefaultPassword
//		code := srv.WaitForCode(ctx, citizen.Phone)          // the SMS the emulator "sent"
//		…
//		srv.Clock().Advance(2 * time.Hour)                   // the access token has expired
//		srv.Fault(esiatest.EndpointToken, 503)               // the next token call fails
//	}
//
// What a Server gives a test, all as Go methods (no HTTP to write):
//
//   - Issuer, HTTPClient: where the emulator is and a client to reach it.
//   - the demo clients (DemoCabinet, DemoSPA, DemoESIACabinet), clients of its own
//     (WithClient) and ESIA clients with a generated RSA key and certificate
//     (WithESIAClient, ESIAClient: sign client_secret with ClientSecret).
//   - the built-in personas (Persona, Personas, the Persona… keys), personas of its own
//     (WithPersona at start, CreatePersona at any time).
//   - the outbox: WaitForCode for the next SMS or e-mail code, Outbox for every message.
//   - the clock: Clock().Advance, Set, Freeze, Resume.
//   - MintTokens: tokens for a persona without a login.
//   - Fault and Maintenance: endpoints that fail, or the whole emulator "under maintenance".
//   - Reset: back to the state at New.
//
// Its types are its own: nothing of the emulator's internal packages appears in its API.
// Its non-test files import only the standard library and the emulator's packages, so a
// cabinet's build gains nothing else from it. The tests in example_test.go log in with
// go-oidc and x/oauth2, and on ESIA's v2/v3 endpoints with a signed client_secret.
//
// It mounts no routes of its own: it serves provider.New's handler with net/http/httptest and
// drives the admin API (with an admin token it keeps to itself) and the test clock. Callers:
// the Go tests of relying parties; README "Use in your tests".
package esiatest
