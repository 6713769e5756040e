package provider_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// genPersona is a generated citizen as the generator answers it.
type genPersona struct {
	OID          string `json:"oid"`
	Persona      string `json:"persona"`
	Level        string `json:"level"`
	Status       string `json:"status"`
	LastName     string `json:"last_name"`
	FirstName    string `json:"first_name"`
	MiddleName   string `json:"middle_name"`
	BirthDate    string `json:"birth_date"`
	Gender       string `json:"gender"`
	Phone        string `json:"phone"`
	Email        string `json:"email"`
	SNILS        string `json:"snils"`
	INN          string `json:"inn"`
	SecondFactor string `json:"second_factor"`
	Password     string `json:"password"`
	TOTPSecret   string `json:"totp_secret"`
	Documents    []struct {
		Type   string `json:"type"`
		Series string `json:"series"`
		Number string `json:"number"`
	} `json:"documents"`
	Addresses []struct {
		AddressStr string `json:"address_str"`
		ZipCode    string `json:"zip_code"`
		City       string `json:"city"`
	} `json:"addresses"`
}

type genAnswer struct {
	Seed     int64             `json:"seed"`
	DryRun   bool              `json:"dry_run"`
	Personas []json.RawMessage `json:"personas"`
}

func (a genAnswer) people(t *testing.T) []genPersona {
	t.Helper()
	out := make([]genPersona, len(a.Personas))
	for i, raw := range a.Personas {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// generate calls the generator (POST with a JSON body, GET with a query) and decodes a
// 2xx answer.
func (e *env) generate(method, bodyOrQuery string, want int) genAnswer {
	e.t.Helper()
	path := "/admin/api/personas/generate"
	body := bodyOrQuery
	if method == http.MethodGet {
		path, body = path+"?"+bodyOrQuery, ""
	}
	status, resp := e.admin(method, path, adminToken, body)
	if status != want {
		e.t.Fatalf("%s %s %s: %d, want %d: %s", method, path, body, status, want, resp)
	}
	var a genAnswer
	if status/100 == 2 {
		if err := json.Unmarshal([]byte(resp), &a); err != nil {
			e.t.Fatalf("%s: %v", resp, err)
		}
	}
	return a
}

func (e *env) personaCount() int {
	e.t.Helper()
	_, body := e.admin("GET", "/admin/api/personas", adminToken, "")
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		e.t.Fatal(err)
	}
	return len(list)
}

func (e *env) personaExists(oid string) bool {
	e.t.Helper()
	status, _ := e.admin("GET", "/admin/api/personas/"+oid, adminToken, "")
	return status == http.StatusOK
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := newEnv(t, testMode), newEnv(t, testMode)
	body := `{"seed":42,"count":5,"level":"confirmed","second_factor":"totp"}`
	ra := a.generate("POST", body, http.StatusCreated)
	rb := b.generate("POST", body, http.StatusCreated)
	if ra.Seed != 42 || len(ra.Personas) != 5 {
		t.Fatalf("seed %d, %d personas", ra.Seed, len(ra.Personas))
	}
	for i := range ra.Personas {
		if string(ra.Personas[i]) != string(rb.Personas[i]) {
			t.Fatalf("seed 42 gave two different people:\n%s\n%s", ra.Personas[i], rb.Personas[i])
		}
	}
	// The dry run previews exactly these people.
	preview := a.generate("GET", "seed=42&count=5&level=confirmed&second_factor=totp", http.StatusOK)
	if !preview.DryRun || ra.DryRun {
		t.Fatal("dry_run flag")
	}
	for i := range ra.Personas {
		if string(ra.Personas[i]) != string(preview.Personas[i]) {
			t.Fatalf("the dry run differs:\n%s\n%s", ra.Personas[i], preview.Personas[i])
		}
	}
	// The stored account is what was answered.
	p0 := ra.people(t)[0]
	_, stored := a.admin("GET", "/admin/api/personas/"+p0.OID, adminToken, "")
	var got genPersona
	_ = json.Unmarshal([]byte(stored), &got)
	if got.SNILS != p0.SNILS || got.Phone != p0.Phone || got.Persona != "gen42-0001" || got.LastName != p0.LastName {
		t.Fatalf("stored %+v, answered %+v", got, p0)
	}
	// Another seed, other people.
	other := a.generate("GET", "seed=43&count=5", http.StatusOK).people(t)
	if other[0].OID == p0.OID || other[0].Phone == p0.Phone {
		t.Fatal("seeds 42 and 43 gave the same person")
	}
	// Without a seed one is chosen and answered, and repeating it repeats the people.
	r := a.generate("GET", "", http.StatusOK)
	if r.Seed == 0 || r.Seed >= 1<<53 || len(r.Personas) != 1 {
		t.Fatalf("default seed %d, %d personas", r.Seed, len(r.Personas))
	}
	again := a.generate("POST", `{"seed":`+jsonNumber(r.Seed)+`}`, http.StatusCreated)
	if string(again.Personas[0]) != string(r.Personas[0]) {
		t.Fatalf("the answered seed does not repeat the run:\n%s\n%s", r.Personas[0], again.Personas[0])
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestGenerateValidPeople(t *testing.T) {
	e := newEnv(t, testMode)
	people := e.generate("POST", `{"seed":7,"count":60,"level":"confirmed","gender":"F","birth_year_from":1960,"birth_year_to":1990,"region":"77","password":"Gen-Pass-2024"}`, http.StatusCreated).people(t)
	if len(people) != 60 || e.personaCount() != 6+60 {
		t.Fatalf("%d generated, %d accounts", len(people), e.personaCount())
	}
	phoneRE := regexp.MustCompile(`^\+79\d{9}$`)
	seen := map[string]bool{}
	for _, p := range people {
		if p.Level != "confirmed" || p.Status != "active" || p.Gender != "F" || p.Password != "Gen-Pass-2024" || p.TOTPSecret != "" {
			t.Fatalf("options not applied: %+v", p)
		}
		if p.LastName == "" || p.FirstName == "" || p.MiddleName == "" {
			t.Fatalf("name: %+v", p)
		}
		if y := p.BirthDate[:4]; y < "1960" || y > "1990" {
			t.Fatalf("birth date %s outside 1960..1990", p.BirthDate)
		}
		if !phoneRE.MatchString(p.Phone) {
			t.Fatalf("phone %q", p.Phone)
		}
		if n, err := ident.NormalizeSNILS(p.SNILS); err != nil || n != p.SNILS || len(p.SNILS) != 11 {
			t.Fatalf("snils %q: %v", p.SNILS, err)
		}
		if n, err := ident.NormalizeINN(p.INN); err != nil || n != p.INN || !strings.HasPrefix(p.INN, "77") {
			t.Fatalf("inn %q (Moscow): %v", p.INN, err)
		}
		if n, err := ident.NormalizeEmail(p.Email); err != nil || n != p.Email {
			t.Fatalf("email %q: %v", p.Email, err)
		}
		if len(p.Documents) != 1 || p.Documents[0].Type != "RF_PASSPORT" {
			t.Fatalf("documents %+v", p.Documents)
		}
		if _, err := ident.ParsePassport(p.Documents[0].Series, p.Documents[0].Number); err != nil {
			t.Fatalf("passport %+v: %v", p.Documents[0], err)
		}
		if len(p.Addresses) != 1 || p.Addresses[0].City != "Москва" || p.Addresses[0].ZipCode == "" || !strings.Contains(p.Addresses[0].AddressStr, "Москва") {
			t.Fatalf("address %+v", p.Addresses)
		}
		for _, v := range []string{"oid:" + p.OID, "phone:" + p.Phone, "snils:" + p.SNILS, "email:" + p.Email} {
			if seen[v] {
				t.Fatalf("%s twice", v)
			}
			seen[v] = true
		}
	}
	// A simplified citizen has no documents.
	s := e.generate("GET", "seed=8&count=3&level=simplified", http.StatusOK).people(t)
	for _, p := range s {
		if p.Level != "simplified" || p.SNILS != "" || len(p.Documents) != 0 || p.Phone == "" || p.Password != config.DefaultPassword {
			t.Fatalf("simplified %+v", p)
		}
	}
}

func TestGeneratedPersonaLogsIn(t *testing.T) {
	e := newEnv(t, testMode)
	p := e.generate("POST", `{"seed":100,"level":"standard","password":"Gen-Pass-2024"}`, http.StatusCreated).people(t)[0]
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if pg := e.submitLogin(cab.browser, cab.authorize(), p.Phone, "Test1234!"); pg.location != "" {
		t.Fatal("logged in with the wrong password")
	}
	_, idt := cab.mustExchange(cab.codeFrom(e.submitLogin(cab.browser, cab.authorize(), p.Phone, "Gen-Pass-2024")))
	if idt.Subject != p.OID {
		t.Fatalf("sub %s, want %s", idt.Subject, p.OID)
	}
	// By SNILS too.
	other := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	if _, idt := other.mustExchange(other.codeFrom(e.submitLogin(other.browser, other.authorize(), ident.FormatSNILS(p.SNILS), "Gen-Pass-2024"))); idt.Subject != p.OID {
		t.Fatalf("sub by SNILS %s", idt.Subject)
	}
}

func TestGeneratedPersonaLogsInWithTOTP(t *testing.T) {
	e := newEnv(t, testMode)
	p := e.generate("POST", `{"seed":101,"second_factor":"totp"}`, http.StatusCreated).people(t)[0]
	if p.SecondFactor != "totp" || p.TOTPSecret == "" || p.TOTPSecret == config.DefaultTOTPSecret || p.Password != config.DefaultPassword {
		t.Fatalf("totp persona %+v", p)
	}
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), p.Phone, p.Password)
	if !pg.isCodeForm() {
		t.Fatalf("no code page: %s", snippet(pg.body))
	}
	code, err := otp.GenerateTOTP(p.TOTPSecret, e.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	_, idt := cab.mustExchange(cab.codeFrom(e.submitCode(cab.browser, pg, "code", code)))
	if idt.Subject != p.OID || amrOf(t, claims(t, idt)) != "pwd otp mfa" {
		t.Fatalf("sub %s amr %v", idt.Subject, claims(t, idt)["amr"])
	}
}

func TestGeneratedPersonaLogsInWithSMS(t *testing.T) {
	e := newEnv(t, testMode)
	p := e.generate("POST", `{"seed":102,"second_factor":"sms"}`, http.StatusCreated).people(t)[0]
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.submitLogin(cab.browser, cab.authorize(), p.Phone, p.Password)
	code := e.lastMessage(p.Phone, "login_code").Code
	if _, idt := cab.mustExchange(cab.codeFrom(e.submitCode(cab.browser, pg, "code", code))); idt.Subject != p.OID {
		t.Fatalf("sub %s", idt.Subject)
	}
}

func TestGenerateConflictAndReplace(t *testing.T) {
	e := newEnv(t, testMode)
	first := e.generate("POST", `{"seed":7,"count":3}`, http.StatusCreated).people(t)

	// The same seed again: 409, naming no account, and nothing changes.
	status, body := e.admin("POST", "/admin/api/personas/generate", adminToken, `{"seed":7,"count":3}`)
	if status != http.StatusConflict {
		t.Fatalf("same seed twice: %d %s", status, body)
	}
	for _, p := range first {
		for _, v := range []string{p.OID, p.Phone, p.Email, p.SNILS, p.LastName} {
			if v != "" && strings.Contains(body, v) {
				t.Fatalf("the conflict names %q: %s", v, body)
			}
		}
	}
	if e.personaCount() != 6+3 {
		t.Fatalf("%d accounts after the conflict", e.personaCount())
	}

	// A phone another account holds is drawn again: no conflict, and the dry run shows the
	// same people the run makes.
	next := e.generate("GET", "seed=8&count=3", http.StatusOK).people(t)
	if status, body := e.admin("POST", "/admin/api/personas", adminToken,
		`{"level":"simplified","last_name":"Занятов","first_name":"Номер","phone":"`+next[2].Phone+`"}`); status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	preview := e.generate("GET", "seed=8&count=3", http.StatusOK).people(t)
	made := e.generate("POST", `{"seed":8,"count":3}`, http.StatusCreated).people(t)
	if made[0].OID != next[0].OID || made[2].Phone == next[2].Phone || made[2].OID != preview[2].OID || made[2].Phone != preview[2].Phone {
		t.Fatalf("taken phone %s: dry run before %s/%s, dry run after %s/%s, made %s/%s", next[2].Phone,
			next[2].OID, next[2].Phone, preview[2].OID, preview[2].Phone, made[2].OID, made[2].Phone)
	}
	if e.personaCount() != 6+3+1+3 {
		t.Fatalf("%d accounts after seed 8", e.personaCount())
	}

	// All or none: a run whose first people exist leaves none of the others behind.
	four := e.generate("GET", "seed=7&count=4", http.StatusOK).people(t)
	e.generate("POST", `{"seed":7,"count":4}`, http.StatusConflict)
	if e.personaExists(four[3].OID) || e.personaCount() != 6+3+1+3 {
		t.Fatalf("a failed run left accounts behind (%d accounts)", e.personaCount())
	}

	// Replace: a session of the replaced account ends, the accounts are new.
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.mustExchange(cab.codeFrom(e.submitLogin(cab.browser, cab.authorize(), first[0].Phone, first[0].Password)))
	again := e.generate("POST", `{"seed":7,"count":3,"replace":true}`, http.StatusCreated).people(t)
	if again[0].OID != first[0].OID || e.personaCount() != 6+3+1+3 {
		t.Fatalf("replace: %s vs %s, %d accounts", again[0].OID, first[0].OID, e.personaCount())
	}
	if got := cab.authorize(oauthPrompt("none")).query("error"); got != "login_required" {
		t.Fatalf("the replaced account's session survived: %q", got)
	}

	// A replace that fails restores the accounts it deleted: an account that claims to be
	// this seed's (its key) holds the fourth person's phone, which is therefore not drawn
	// again.
	more := e.generate("GET", "seed=7&count=4", http.StatusOK).people(t)
	if status, body := e.admin("POST", "/admin/api/personas", adminToken,
		`{"key":"gen7-extra","level":"simplified","last_name":"Занятов","first_name":"Второй","phone":"`+more[3].Phone+`"}`); status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, body)
	}
	e.generate("POST", `{"seed":7,"count":4,"replace":true}`, http.StatusConflict)
	for _, p := range first {
		if !e.personaExists(p.OID) {
			t.Fatalf("%s was not restored", p.OID)
		}
	}
	if e.personaCount() != 6+3+1+3+1 {
		t.Fatalf("%d accounts after the failed replace", e.personaCount())
	}
	cab = e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	cab.mustExchange(cab.codeFrom(e.submitLogin(cab.browser, cab.authorize(), first[1].Phone, first[1].Password)))
}

func TestGenerateDryRunCreatesNothing(t *testing.T) {
	e := newEnv(t, testMode)
	r := e.generate("GET", "seed=5&count=3&level=confirmed&gender=M&region=16&birth_year_from=1970&birth_year_to=1980&second_factor=totp&password=Preview-1", http.StatusOK)
	people := r.people(t)
	if r.Seed != 5 || len(people) != 3 {
		t.Fatalf("seed %d, %d people", r.Seed, len(people))
	}
	for _, p := range people {
		if p.Gender != "M" || p.Level != "confirmed" || p.TOTPSecret == "" || p.Password != "Preview-1" || !strings.HasPrefix(p.INN, "16") {
			t.Fatalf("preview %+v", p)
		}
		if e.personaExists(p.OID) {
			t.Fatalf("the dry run created %s", p.OID)
		}
	}
	if e.personaCount() != 6 {
		t.Fatalf("%d accounts after a dry run", e.personaCount())
	}
	// Creating them after the preview works (nothing was reserved).
	e.generate("POST", `{"seed":5,"count":3,"level":"confirmed","gender":"M","region":"16","birth_year_from":1970,"birth_year_to":1980,"second_factor":"totp","password":"Preview-1"}`, http.StatusCreated)
}

func TestGenerateIsAbsentOutsideTestMode(t *testing.T) {
	e := newEnv(t)
	for _, m := range []string{"POST", "GET"} {
		if status, body := e.admin(m, "/admin/api/personas/generate", adminToken, `{"seed":1}`); status != http.StatusNotFound {
			t.Fatalf("%s outside test mode: %d %s", m, status, body)
		}
	}
	if e.personaCount() != 6 {
		t.Fatal("created outside test mode")
	}
	tm := newEnv(t, testMode)
	for _, tok := range []string{"", "wrong"} {
		if status, _ := tm.admin("POST", "/admin/api/personas/generate", tok, `{"seed":1}`); status != http.StatusUnauthorized {
			t.Fatalf("token %q: %d", tok, status)
		}
	}
}

func TestGenerateRejectsBadRequests(t *testing.T) {
	e := newEnv(t, testMode)
	for _, body := range []string{
		`{"count":0}`,
		`{"count":-1}`,
		`{"count":1001}`,
		`{"level":"gold"}`,
		`{"gender":"X"}`,
		`{"second_factor":"email"}`,
		`{"region":"Атлантида"}`,
		`{"birth_year_from":1990,"birth_year_to":1980}`,
		`{"birth_year_from":1800}`,
		`{"password":"` + strings.Repeat("x", 257) + `"}`,
		`{"seed":"42"}`,
		`{"cuont":3}`,
		`[]`,
	} {
		status, resp := e.admin("POST", "/admin/api/personas/generate", adminToken, body)
		if status != http.StatusBadRequest || !strings.Contains(resp, "invalid_request") {
			t.Fatalf("%s: %d %s", body, status, resp)
		}
	}
	for _, q := range []string{"count=0", "count=1001", "count=abc", "seed=x", "level=gold", "cuont=3", "seed=1&seed=2"} {
		e.generate("GET", q, http.StatusBadRequest)
	}
	if e.personaCount() != 6 {
		t.Fatalf("%d accounts after bad requests", e.personaCount())
	}
	// The bounds themselves: an empty body makes one citizen; 1000 is allowed.
	if r := e.generate("POST", "", http.StatusCreated); len(r.Personas) != 1 {
		t.Fatalf("default count: %d", len(r.Personas))
	}
	big := e.generate("POST", `{"seed":9,"count":1000,"level":"simplified"}`, http.StatusCreated).people(t)
	if len(big) != 1000 || e.personaCount() != 6+1+1000 {
		t.Fatalf("count 1000: %d generated, %d accounts", len(big), e.personaCount())
	}
	oids := make([]string, len(big))
	for i, p := range big {
		oids[i] = p.OID
	}
	slices.Sort(oids)
	if len(slices.Compact(oids)) != 1000 {
		t.Fatal("duplicate oids")
	}
}
