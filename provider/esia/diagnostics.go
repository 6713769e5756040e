package esia

import (
	"crypto/sha256"
	"crypto/subtle"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// diagnostics keeps, per client, the last N client_secret checks with what was odd about
// them, for the page /esia/diagnostics and the admin JSON. It is in memory, per process.
type diagnostics struct {
	mu      sync.Mutex
	size    int
	entries map[string][]diagEntry // client → ring, oldest first
}

type diagEntry struct {
	Time     time.Time `json:"time"`
	ClientID string    `json:"client_id"`
	Endpoint string    `json:"endpoint"`
	Mode     string    `json:"mode"`
	Accepted bool      `json:"accepted"`
	Method   string    `json:"method,omitempty"`
	Oddities []string  `json:"oddities,omitempty"`
	Error    string    `json:"error,omitempty"`
}

func newDiagnostics(size int) *diagnostics {
	return &diagnostics{size: size, entries: map[string][]diagEntry{}}
}

func (g *diagnostics) add(e diagEntry) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ring := append(g.entries[e.ClientID], e)
	if len(ring) > g.size {
		ring = slices.Clone(ring[len(ring)-g.size:])
	}
	g.entries[e.ClientID] = ring
}

// list returns the entries of one client (all clients for ""), newest first.
func (g *diagnostics) list(clientID string) []diagEntry {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []diagEntry
	for id, ring := range g.entries {
		if clientID == "" || id == clientID {
			out = append(out, ring...)
		}
	}
	slices.SortStableFunc(out, func(a, b diagEntry) int { return b.Time.Compare(a.Time) })
	return out
}

// report logs a client_secret check and records it for the diagnostics page.
func (d *Dialect) report(r *http.Request, clientID, endpoint string, res secretResult) {
	e := diagEntry{Time: d.host.Now(), ClientID: clientID, Endpoint: endpoint, Mode: res.Mode, Accepted: res.Err == nil,
		Method: res.Method, Oddities: slices.Clone(res.Oddities)}
	ctx := r.Context()
	switch {
	case res.Err != nil:
		e.Error = res.Err.Error()
		d.log.InfoContext(ctx, "esia: client_secret refused", "client_id", clientID, "endpoint", endpoint, "mode", res.Mode, "err", e.Error, "oddities", res.Oddities)
	case len(res.Oddities) > 0:
		d.log.WarnContext(ctx, "esia: client_secret accepted with oddities", "client_id", clientID, "endpoint", endpoint, "method", res.Method, "oddities", res.Oddities)
	default:
		d.log.DebugContext(ctx, "esia: client_secret accepted", "client_id", clientID, "endpoint", endpoint, "method", res.Method)
	}
	d.diag.add(e)
}

var diagTemplate = template.Must(template.New("diag").Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>ЕСИА: диагностика client_secret</title>
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
.ok{color:#165c16}.bad{color:#a11}ul{margin:0;padding-left:1.2em}</style></head><body>
<h1>Диагностика подписи client_secret / client_secret diagnostics</h1>
<p>Последние проверки по каждой системе (режим lenient принимает отклонения и перечисляет их здесь). The last checks per client; lenient mode accepts deviations and lists them here.</p>
<form method="get"><label>client_id <input name="client_id" value="{{.ClientID}}"></label> <button>Показать / show</button></form>
{{if .Entries}}<table><tr><th>время / time</th><th>client_id</th><th>endpoint</th><th>mode</th><th>результат / result</th><th>отклонения / oddities</th></tr>
{{range .Entries}}<tr><td>{{.Time.Format "2006-01-02 15:04:05 -0700"}}</td><td>{{.ClientID}}</td><td>{{.Endpoint}}</td><td>{{.Mode}}</td>
<td>{{if .Accepted}}<span class="ok">принято / accepted</span><br>{{.Method}}{{else}}<span class="bad">отклонено / refused</span><br>{{.Error}}{{end}}</td>
<td>{{if .Oddities}}<ul>{{range .Oddities}}<li>{{.}}</li>{{end}}</ul>{{else}}—{{end}}</td></tr>
{{end}}</table>{{else}}<p>Проверок ещё не было. No checks yet.</p>{{end}}
</body></html>`))

// diagnosticsPage serves /esia/diagnostics[?client_id=…].
func (d *Dialect) diagnosticsPage(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("client_id")
	var buf strings.Builder
	if err := diagTemplate.Execute(&buf, struct {
		ClientID string
		Entries  []diagEntry
	}{id, d.diag.list(id)}); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte(buf.String()))
}

// diagnosticsJSON serves /admin/api/esia/diagnostics[?client_id=…] with the admin token.
func (d *Dialect) diagnosticsJSON(w http.ResponseWriter, r *http.Request) {
	admin := d.cfg.AdminToken
	if admin == "" {
		http.NotFound(w, r)
		return
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	want, got := sha256.Sum256([]byte(admin)), sha256.Sum256([]byte(tok))
	if !ok || subtle.ConstantTimeCompare(want[:], got[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="esia-emulator admin"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "unauthorized", "message": "send the admin token as Authorization: Bearer <token>"})
		return
	}
	entries := d.diag.list(r.URL.Query().Get("client_id"))
	if entries == nil {
		entries = []diagEntry{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"entries": entries})
}

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>ЕСИА: ошибка</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:46em}code{background:#f3f3f3;padding:.1em .3em}</style></head><body>
<h1>Не удалось выполнить запрос</h1>
<p>Информационная система передала некорректный запрос на вход через Госуслуги. Вернитесь на сайт системы и попробуйте ещё раз; если ошибка повторяется, сообщите о ней владельцу системы.</p>
<p lang="en">The system sent an invalid sign-in request.</p>
<p><code>{{.Description}}</code></p>{{if .Detail}}<p>{{.Detail}}</p>{{end}}
</body></html>`))

// page shows an ESIA error to the citizen when the browser cannot be sent back.
func (d *Dialect) page(w http.ResponseWriter, r *http.Request, status int, e *Error) {
	d.log.InfoContext(r.Context(), "esia: request refused", "path", r.URL.Path, "err", e.Error())
	var buf strings.Builder
	_ = pageTemplate.Execute(&buf, struct{ Description, Detail string }{e.Description(), e.Detail})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(buf.String()))
}
