package esia

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/esia-emulator/esia-emulator/provider/limits"
	"github.com/esia-emulator/esia-emulator/provider/web"
)

// Error is an error in ESIA's shape: an OAuth error name and an error_description that starts
// with the ESIA code ("ESIA-007014: …"); clients parse the first 11 characters.
type Error struct {
	Code  string // ESIA-0070xx
	OAuth string // OAuth error name
	Text  string // after "ESIA-0070xx: "
	// Detail goes to the log and the diagnostics page, not to the relying party.
	Detail string
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return e.Description() + " (" + e.Detail + ")"
	}
	return e.Description()
}

// Description is the error_description value.
func (e *Error) Description() string { return e.Code + ": " + e.Text }

func esiaErr(code, oauth, text string) *Error { return &Error{Code: code, OAuth: oauth, Text: text} }

func (e *Error) with(detail string, a ...any) *Error {
	c := *e
	c.Detail = fmt.Sprintf(detail, a...)
	return &c
}

// The errors of §10. Texts follow go-api-epgu's table and the observed answers.
func errMissing(param string) *Error {
	return esiaErr("ESIA-007014", "invalid_request", "The request doesn't contain the mandatory parameter ["+param+"]")
}

func errWrongParam(param, why string) *Error {
	return esiaErr("ESIA-007003", "invalid_request", "The request contains a wrong or repeated parameter ["+param+"]: "+why)
}

func errCannotRead() *Error {
	return esiaErr("ESIA-007038", "invalid_request", "Cannot read the request parameters")
}

func errNoCertificate() *Error {
	return esiaErr("ESIA-007002", "unauthorized_client", "The certificate does not match the system, or no certificate is registered")
}

func errRefused() *Error {
	return esiaErr("ESIA-007004", "access_denied", "The resource owner or authorization server denied the request")
}

func errNotAuthorized() *Error {
	return esiaErr("ESIA-007005", "unauthorized_client", "The client is not authorized to request an access token using this method.")
}

func errBadScope(scope string) *Error {
	return esiaErr("ESIA-007006", "invalid_scope", "The requested scope is invalid, unknown, or malformed ["+scope+"]")
}

func errServer() *Error {
	return esiaErr("ESIA-007007", "server_error", "The authorization server encountered an unexpected condition")
}

func errGrantType(gt string) *Error {
	return esiaErr("ESIA-007009", "unsupported_grant_type", "The authorization grant type is not supported by the authorization server ["+gt+"]")
}

func errInvalidGrant() *Error {
	return esiaErr("ESIA-007011", "invalid_grant", "The provided authorization grant or refresh token is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client")
}

func errResponseType(rt string) *Error {
	return esiaErr("ESIA-007012", "unsupported_response_type", "The authorization server does not support obtaining an authorization code using this method ["+rt+"]")
}

func errNoScope() *Error {
	return esiaErr("ESIA-007013", "invalid_scope", "The request doesn't contain a scope")
}

func errTimestamp() *Error {
	return esiaErr("ESIA-007015", "invalid_request", "The request time (timestamp) is wrong")
}

func errNoGrants(scope string) *Error {
	return esiaErr("ESIA-007019", "invalid_scope", "OAuthErrorEnum.noGrants ["+scope+"]")
}

func errRedirectURI() *Error {
	return esiaErr("ESIA-007023", "invalid_request", "The redirect_uri is not registered for the system")
}

func errNoChallenge() *Error {
	return esiaErr("ESIA-007039", "invalid_request", "code_challenge was not given on the original /v2/ac request")
}

func errChallenge() *Error {
	return esiaErr("ESIA-007040", "invalid_grant", "The comparison of the original and the check values failed (code_verifier)")
}

func errSecretWrong() *Error {
	return esiaErr("ESIA-007053", "access_denied", "OAuthErrorEnum.clientSecretWrong")
}

func errUnconfirmed() *Error {
	return esiaErr("ESIA-007055", "access_denied", "Login with an unconfirmed account is not allowed for this system")
}

func errClientAuth() *Error {
	return esiaErr("ESIA-008010", "invalid_client", "Client authentication failed")
}

// redirectError sends the browser to the relying party with the error and the state.
func redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state string, e *Error) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		http.Error(w, e.Description(), http.StatusBadRequest)
		return
	}
	q := u.Query()
	q.Set("error", e.OAuth)
	q.Set("error_description", e.Description())
	if state != "" && len(state) <= limits.MaxState { // an oversized state is not echoed
		q.Set("state", state)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// jsonError answers a token request: 400 (500 for a server error) with {error,
// error_description, state}, as ESIA does for every client error including 008010.
func jsonError(w http.ResponseWriter, state string, e *Error) {
	status := http.StatusBadRequest
	if e.Code == "ESIA-007007" {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		State       string `json:"state,omitempty"`
	}{e.OAuth, e.Description(), state})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// page shows an ESIA error to the citizen when the browser cannot be sent back: the
// emulator's error page, with the developer detail folded under it.
func (d *Dialect) page(w http.ResponseWriter, r *http.Request, status int, e *Error) {
	d.log.InfoContext(r.Context(), "esia: request refused", "path", r.URL.Path, "err", e.Error())
	lang := web.Lang(r, nil)
	details := e.Description()
	if e.Detail != "" {
		details += " — " + e.Detail
	}
	d.pages.Render(w, r, status, &web.MessagePage{Frame: web.Frame{Lang: lang, Title: "esia.error.title"},
		Paragraphs: []string{d.pages.T(lang, "esia.error.text")}, Details: details})
}
