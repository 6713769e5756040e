// Package browser is the one user agent of every test suite and of the conformance driver:
// a cookie-keeping HTTP browser without scripts that reads pages the way a person's browser
// does, with golang.org/x/net/html, never with regular expressions.
//
// A Browser (New) sends GET and POST requests with a browser's headers, keeps cookies in its
// jar and follows redirects, stopping where its stop rules say (Prefix: a relying party's
// redirect URI; Outside: anything off the provider) and handing back that location instead
// of fetching it. With Options.AutoSubmit it also submits auto-posting pages
// (response_mode=form_post) and follows zero-delay meta refreshes. Each navigation takes a
// context, bounds the body it reads (10 MiB by default) and keeps the final URL, status,
// headers and body in a Page.
//
// A Page finds its forms (Page.Form with ByAction, ByID, ByName, WithField, WithoutField),
// its visible text (Text, TextOf, Find and FindAll with a small CSS subset) and links (Link).
// A Form holds the state of its controls — inputs, hidden fields, selects, textareas,
// checkboxes and radios with their checked state, repeated names kept — changed with Set,
// Check, Uncheck, Add and Del, and Browser.Submit sends it as a browser does: the values of
// the successful controls plus only the clicked button's name and value (Button,
// ButtonText), with the form's method to its action resolved against the page, encoded as
// application/x-www-form-urlencoded. Nothing depends on the order of attributes in
// templates.
//
// ForTest wraps a Browser for tests: its methods fail the test instead of returning errors.
//
// Callers: the conformance suite's relying party (conformance/internal/rp), which the CLI's
// "esia-emulator conformance" points at any OpenID provider, and the end-to-end tests of
// cmd/esia-emulator and provider. It mounts no routes.
package browser
