package realclients_test

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/config"
)

// pagesResult is what node/browser-pages.mjs prints.
type pagesResult struct {
	Pages []struct {
		Name         string   `json:"name"`
		Viewport     string   `json:"viewport"`
		URL          string   `json:"url"`
		Screenshot   string   `json:"screenshot"`
		ExpectLang   string   `json:"expect_lang"`
		Lang         string   `json:"lang"`
		H1           string   `json:"h1"`
		ForeignWords []string `json:"foreign_words"`
		OverflowPx   int      `json:"overflow_px"`
		Actions      []string `json:"actions"`
		Axe          []struct {
			ID, Impact, Help string
			Nodes            []string
		} `json:"axe"`
		AxeRules int `json:"axe_rules"` // rules axe-core applied (proof that it ran)
	} `json:"pages"`
	ConsoleErrors []string `json:"console_errors"`
	Blocked       []string `json:"blocked"`
}

// citizenPages is every page the suite must visit in each viewport.
var citizenPages = []string{"home", "404", "logged-out", "error", "timed-out", "register", "recover", "outbox",
	"login", "login-en", "consent", "code", "level-too-low", "suspended", "role", "needs-confirmation", "consent-simplified",
	"account-profile", "account-access", "account-history", "account-sessions", "account-security",
	"login-methods", "login-ds", "login-qr", "login-qr-scanned", "account-agreements",
	"account-totp-wrong-code", "account-profile-failed"}

// TestBrowserCitizenPages visits every citizen page in headless Chromium at 1280×800 and
// 390×844 with an English browser and asserts, on each: lang="ru" and no English words (the
// language link's English page: lang="en" and no Russian), no horizontal overflow on the phone,
// a next action (an enabled link or button in <main>), and no serious or critical axe-core
// violation. Screenshots: test-artifacts/pages-<page>-<desktop|phone>.png.
func TestBrowserCitizenPages(t *testing.T) {
	needTools(t, true)
	if _, err := os.Stat(filepath.Join(nodeDir(t), "node_modules", "axe-core", "axe.min.js")); err != nil {
		needAxe(t)
	}
	const levelRedirect = "http://127.0.0.1:9/cb"
	s := startCabinetWith(t, func(cfg *config.Config) {
		cfg.Clients = append(cfg.Clients, config.Client{ID: "confirmed-only", Name: "Реестр инвалидов", Secret: "ri-secret",
			MinLevel: "confirmed", RedirectURIs: []string{levelRedirect}},
			config.Client{ID: "wants-documents", Name: "Портал соцзащиты", Secret: "wd-secret", RedirectURIs: []string{levelRedirect}})
		// Told at login that the data must be confirmed (a configured persona has no deadline).
		cfg.Personas = append(cfg.Personas, config.Persona{Key: "needs-confirmation", OID: "1000000090", Level: "standard",
			Status: "needs_confirmation", Reason: "Обновите паспорт", LastName: "Орлова", FirstName: "Ольга",
			BirthDate: "1980-04-02", Gender: "F", Phone: "+79990000090", SNILS: "000-000-600 90"})
		// An ESIA system without signature checks: the role choice after an ESIA login.
		cfg.Clients = append(cfg.Clients, config.Client{ID: "ESIAPAGES", Name: "Кабинет работодателя",
			RedirectURIs: []string{levelRedirect}, ESIA: &config.ESIAClient{SecretCheck: "off"}})
	})
	roleURL := s.e.issuer + "/aas/oauth2/ac?" + url.Values{"client_id": {"ESIAPAGES"}, "scope": {"openid usr_org"},
		"response_type": {"code"}, "redirect_uri": {levelRedirect}, "state": {"0b3d5f0e-8a7c-4d1e-9f2a-6c5b4a3d2e1f"},
		"timestamp": {time.Now().Format("2006.01.02 15:04:05 -0700")}, "access_type": {"online"}, "client_secret": {"-"}}.Encode()
	// A simplified account asked for SNILS and passport: the consent page says what is missing.
	documents := oauth2.Config{ClientID: "wants-documents", RedirectURL: levelRedirect, Scopes: []string{"openid", "profile", "snils", "id_doc"},
		Endpoint: oauth2.Endpoint{AuthURL: s.e.issuer + "/authorize"}}
	level := oauth2.Config{ClientID: "confirmed-only", RedirectURL: levelRedirect, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: s.e.issuer + "/authorize"}}
	spec, _ := json.Marshal(map[string]any{
		"issuer":        s.e.issuer,
		"rp_login":      s.rpURL + "/login",
		"level_url":     level.AuthCodeURL("st-level", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())),
		"role_url":      roleURL,
		"documents_url": documents.AuthCodeURL("st-documents", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())),
		"password":      personaPassword,
		"outbox_to":     "+79990000005",
		"admin_token":   s.adminToken,
		"qr_persona":    "1000000003",
		"personas": map[string]string{"consent": personaLogin, "code": "+79990000005", "level": "+79990000002",
			"suspended": "+79990000006", "account": personaLogin, "states": "+79990000001",
			"notice": "+79990000090", "simplified": "+79990000001"},
	})
	artifacts := artifactsDir(t)
	stale, _ := filepath.Glob(filepath.Join(artifacts, "pages-*"))
	for _, f := range stale {
		_ = os.Remove(f)
	}
	var res pagesResult
	if err := runNode(t, 170*time.Second, &res, "browser-pages.mjs", string(spec), artifacts); err != nil {
		t.Fatalf("%v\nscreenshots: %s/pages-*.png", err, artifacts)
	}
	seen := map[string]bool{}
	for _, p := range res.Pages {
		seen[p.Name+"/"+p.Viewport] = true
		where := p.Name + " (" + p.Viewport + ", " + p.URL + ", " + filepath.Base(p.Screenshot) + ")"
		if p.Lang != p.ExpectLang {
			t.Errorf("%s: lang=%q, want %q", where, p.Lang, p.ExpectLang)
		}
		if len(p.ForeignWords) > 0 {
			t.Errorf("%s: words of another language on a %s page: %q", where, p.ExpectLang, p.ForeignWords)
		}
		if p.Viewport == "phone" && p.OverflowPx > 0 {
			t.Errorf("%s: %d px of horizontal overflow at 390 px", where, p.OverflowPx)
		}
		if len(p.Actions) == 0 {
			t.Errorf("%s: a dead end (no enabled link or button in <main>)", where)
		}
		if p.AxeRules == 0 {
			t.Errorf("%s: axe-core applied no rules", where)
		}
		for _, v := range p.Axe {
			t.Errorf("%s: axe %s (%s): %s at %q", where, v.ID, v.Impact, v.Help, v.Nodes)
		}
	}
	for _, vp := range []string{"desktop", "phone"} {
		for _, name := range citizenPages {
			if !seen[name+"/"+vp] {
				t.Errorf("page %s (%s) was not visited", name, vp)
			}
		}
	}
	if len(res.ConsoleErrors) > 0 {
		t.Errorf("console errors (a script refused by the CSP shows here): %q", res.ConsoleErrors)
	}
	if len(res.Blocked) > 0 {
		t.Errorf("pages asked for non-loopback resources: %q", res.Blocked)
	}
	t.Logf("%d pages measured; screenshots in %s: %s", len(res.Pages), artifacts, strings.Join(citizenPages, ", "))
}

// needAxe fails or skips like needTools when the axe-core package is missing.
func needAxe(t *testing.T) {
	t.Helper()
	msg := "missing npm package axe-core; run `bash .ci/install-deps` (make test does)"
	if required() {
		t.Fatal(msg)
	}
	t.Skip(msg)
}
