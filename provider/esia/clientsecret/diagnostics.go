package clientsecret

import (
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/web"
)

// Diagnostics keeps, per client, the last N client_secret checks with what was odd about
// them, for the page /esia/diagnostics and the admin JSON. It is in memory, per process.
type Diagnostics struct {
	mu      sync.Mutex
	size    int
	admin   AdminGate
	entries map[string][]Entry // client → ring, oldest first
}

// AdminGate is the admin API's token check (admin.API): the page and the JSON follow the admin
// API's rule.
type AdminGate interface {
	// Enabled: an admin token is configured (without one nothing admin is served: 404).
	Enabled() bool
	// Authorized: the request carries the admin token (Bearer header or admin cookie).
	Authorized(r *http.Request) bool
	// LogIn sets the admin cookie when token is the admin token.
	LogIn(w http.ResponseWriter, token string) bool
	// Guard lets only requests with the admin token through (JSON 401 otherwise).
	Guard(next http.Handler) http.Handler
}

// Entry is one check as the diagnostics show it.
type Entry struct {
	Time     time.Time `json:"time"`
	ClientID string    `json:"client_id"`
	Endpoint string    `json:"endpoint"`
	Mode     string    `json:"mode"`
	Accepted bool      `json:"accepted"`
	Method   string    `json:"method,omitempty"`
	Oddities []string  `json:"oddities,omitempty"`
	Error    string    `json:"error,omitempty"`
}

// NewDiagnostics keeps the last size checks per client. admin guards the page and the JSON
// alike, as it guards the admin API (no admin token: neither is served, 404).
func NewDiagnostics(size int, admin AdminGate) *Diagnostics {
	return &Diagnostics{size: size, admin: admin, entries: map[string][]Entry{}}
}

// Mount adds GET /esia/diagnostics (and POST, the page's admin token form) and GET
// /admin/api/esia/diagnostics.
func (g *Diagnostics) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /esia/diagnostics", g.page)
	mux.HandleFunc("POST /esia/diagnostics", g.page)
	mux.Handle("GET /admin/api/esia/diagnostics", g.admin.Guard(http.HandlerFunc(g.adminJSON)))
}

// Add records a check.
func (g *Diagnostics) Add(e Entry) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ring := append(g.entries[e.ClientID], e)
	if len(ring) > g.size {
		ring = slices.Clone(ring[len(ring)-g.size:])
	}
	g.entries[e.ClientID] = ring
}

// list returns the entries of one client (all clients for ""), newest first.
func (g *Diagnostics) list(clientID string) []Entry {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Entry
	for id, ring := range g.entries {
		if clientID == "" || id == clientID {
			out = append(out, ring...)
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return b.Time.Compare(a.Time) })
	return out
}

// StrictRefusal is one thing working clients send that secret_check: strict refuses: what,
// why (the rule the protocol doc cites), and which public client libraries it breaks.
type StrictRefusal struct{ What, Why, Breaks string }

// StrictRefusals are listed on the diagnostics page and in the README, so a team switching to
// strict knows in advance which client it breaks (lenient accepts each and lists it as odd).
var StrictRefusals = []StrictRefusal{
	{What: "client_secret in standard base64 (+ and /)",
		Why:    "the MR quote: \"PKCS#7 detached signature … base64 url safe\" (esia-protocol.md §2.3); refused with ESIA-007053",
		Breaks: "the Java EsiaUserClient-style service quoted in esia-protocol.md (standard base64) and AISGorod (C#, standard base64 for raw GOST signatures)"},
	{What: "the authorization request's state reused on /aas/oauth2/te or /v3/te",
		Why:    "the MR: state is \"a 128-bit identifier generated per the UUID standard\" for each request, and the token response echoes the token request's state; refused with ESIA-007003",
		Breaks: "sokolovs/esia-oauth2 (Python)"},
	{What: "an attached CMS (the signed content inside the signature)",
		Why:    "the same MR quote: a detached signature; refused with ESIA-007053",
		Breaks: "inkz/passport-esia (node-forge PKCS#7 with the content attached)"},
}

// diagStyle is the diagnostics page's own look, allowed by its hash (web.InlineStyleHeaders).
const diagStyle = `body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
.ok{color:#165c16}.bad{color:#a11}ul{margin:0;padding-left:1.2em}`

var diagTemplate = template.Must(template.New("diag").Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>ЕСИА: диагностика client_secret</title>
<style>` + diagStyle + `</style></head><body>
<h1>Диагностика подписи client_secret / client_secret diagnostics</h1>
{{if .AskToken}}<p>Страница показывает проверки всех систем и доступна только администратору стенда: введите токен администратора (admin_token). This page shows every system's checks and needs the stand's admin token.</p>
{{if .WrongToken}}<p class="bad" role="alert">Неверный токен / wrong token</p>{{end}}{{else}}<p>Последние проверки по каждой системе (режим lenient принимает отклонения и перечисляет их здесь). The last checks per client; lenient mode accepts deviations and lists them here.</p>{{end}}
<form method="post"><label>client_id <input name="client_id" value="{{.ClientID}}"></label> <label>Токен администратора / admin token <input type="password" name="admin_token" autocomplete="off" required></label> <button>Показать / show</button></form>
{{if not .AskToken}}{{if .Entries}}<table><tr><th>время / time</th><th>client_id</th><th>endpoint</th><th>mode</th><th>результат / result</th><th>отклонения / oddities</th></tr>
{{range .Entries}}<tr><td>{{.Time.Format "2006-01-02 15:04:05 -0700"}}</td><td>{{.ClientID}}</td><td>{{.Endpoint}}</td><td>{{.Mode}}</td>
<td>{{if .Accepted}}<span class="ok">принято / accepted</span><br>{{.Method}}{{else}}<span class="bad">отклонено / refused</span><br>{{.Error}}{{end}}</td>
<td>{{if .Oddities}}<ul>{{range .Oddities}}<li>{{.}}</li>{{end}}</ul>{{else}}—{{end}}</td></tr>
{{end}}</table>{{else}}<p>Проверок ещё не было. No checks yet.</p>{{end}}
<h2>Что отклоняет режим strict / what secret_check: strict refuses</h2>
<p>lenient принимает каждое из этого и перечисляет выше как отклонение. lenient accepts each and lists it above as odd.</p>
<table><tr><th>что / what</th><th>почему / why</th><th>какие клиенты это ломает / breaks</th></tr>
{{range .Strict}}<tr><td>{{.What}}</td><td>{{.Why}}</td><td>{{.Breaks}}</td></tr>{{end}}</table>{{end}}
</body></html>`))

// page serves /esia/diagnostics[?client_id=…] under the admin API's rule: 404 without a
// configured admin token; with one, the checks only for the token — sent as
// "Authorization: Bearer" or typed into the form the page shows instead (401).
func (g *Diagnostics) page(w http.ResponseWriter, r *http.Request) {
	if !g.admin.Enabled() {
		web.SecurityHeaders(w.Header())
		http.NotFound(w, r)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		web.SecurityHeaders(w.Header())
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ok := g.admin.Authorized(r)
	tok := r.PostForm.Get("admin_token")
	if !ok && tok != "" {
		ok = g.admin.LogIn(w, tok) // the admin cookie, as the outbox page's form sets it
	}
	id := r.Form.Get("client_id")
	v := struct {
		AskToken, WrongToken bool
		ClientID             string
		Entries              []Entry
		Strict               []StrictRefusal
	}{ClientID: id, Strict: StrictRefusals}
	status := http.StatusOK
	if ok {
		v.Entries = g.list(id)
	} else {
		status, v.AskToken, v.WrongToken = http.StatusUnauthorized, true, tok != ""
		w.Header().Set("WWW-Authenticate", `Bearer realm="esia-emulator admin"`)
	}
	var buf strings.Builder
	if err := diagTemplate.Execute(&buf, v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	web.InlineStyleHeaders(w.Header(), diagStyle)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}

// adminJSON serves /admin/api/esia/diagnostics[?client_id=…] (behind the admin API's guard).
func (g *Diagnostics) adminJSON(w http.ResponseWriter, r *http.Request) {
	entries := g.list(r.URL.Query().Get("client_id"))
	if entries == nil {
		entries = []Entry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
