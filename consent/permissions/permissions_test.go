package permissions

import (
	"encoding/base64"
	"strings"
	"testing"
)

func items(names ...string) []Item {
	out := make([]Item, len(names))
	for i, n := range names {
		out[i] = Item{Sysname: n}
	}
	return out
}

func good() Request {
	return Request{Sysname: "SOCIAL_SUPPORT", Expire: 60, Actions: items("ALL_ACTIONS_TO_DATA"),
		Purposes: items("SOCIAL_SUPPORT"), Scopes: items("payments_egisso", "ils_doc")}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		raw  func() string
		code string
	}{
		{"valid", func() string { return Encode([]Request{good()}) }, ""},
		{"padded base64url", func() string {
			return base64.URLEncoding.EncodeToString([]byte(`[{"sysname":"PENSION","actions":[{"sysname":"USE_DATA"}],"purposes":[{"sysname":"PENSION"}],"scopes":[{"sysname":"ils_doc"}]}]`))
		}, ""},
		{"not base64", func() string { return "%%%" }, CodeMalformed},
		{"not JSON", func() string { return base64.RawURLEncoding.EncodeToString([]byte("{")) }, CodeMalformed},
		{"object, not array", func() string { return base64.RawURLEncoding.EncodeToString([]byte(`{"sysname":"PENSION"}`)) }, CodeMalformed},
		{"empty array", func() string { return Encode([]Request{}) }, CodeNoType},
		{"too long", func() string { return strings.Repeat("A", MaxEncoded+1) }, CodeMalformed},
		{"no sysname", func() string { r := good(); r.Sysname = ""; return Encode([]Request{r}) }, CodeNoType},
		{"unknown type", func() string { r := good(); r.Sysname = "NOPE"; return Encode([]Request{r}) }, CodeUnknownType},
		{"no scopes", func() string { r := good(); r.Scopes = nil; return Encode([]Request{r}) }, CodeNoScope},
		{"scope outside type", func() string { r := good(); r.Scopes = items("vehicles"); return Encode([]Request{r}) }, CodeScopeOutside},
		{"scopes for a type without", func() string {
			r := good()
			r.Sysname, r.Purposes = "APIPGU", items("APIPGU")
			return Encode([]Request{r})
		}, CodeScopeForbidden},
		{"no actions", func() string { r := good(); r.Actions = nil; return Encode([]Request{r}) }, CodeNoAction},
		{"unknown action", func() string { r := good(); r.Actions = items("EAT_DATA"); return Encode([]Request{r}) }, CodeUnknownAction},
		{"no purposes", func() string { r := good(); r.Purposes = nil; return Encode([]Request{r}) }, CodeNoPurpose},
		{"two purposes", func() string {
			r := good()
			r.Purposes = items("SOCIAL_SUPPORT", "PENSION")
			return Encode([]Request{r})
		}, CodeOnePurpose},
		{"unknown purpose", func() string { r := good(); r.Purposes = items("FUN"); return Encode([]Request{r}) }, CodeUnknownPurpose},
		{"negative expire", func() string { r := good(); r.Expire = -1; return Encode([]Request{r}) }, CodeBadExpire},
		{"expire beyond the type", func() string { r := good(); r.Expire = 525601; return Encode([]Request{r}) }, CodeBadExpire},
		{"second request bad", func() string { r := good(); r.Actions = nil; return Encode([]Request{good(), r}) }, CodeNoAction},
		{"too many requests", func() string {
			rs := make([]Request, MaxRequests+1)
			for i := range rs {
				rs[i] = good()
			}
			return Encode(rs)
		}, CodeMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			reqs, err := Parse(tc.raw())
			if tc.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if len(reqs) == 0 || reqs[0].Expire <= 0 {
					t.Fatalf("parsed %+v", reqs)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want %s", tc.code)
			}
			if err.Code != tc.code || err.Text == "" {
				t.Fatalf("got %s %q, want %s", err.Code, err.Text, tc.code)
			}
		})
	}
}

func TestParseDefaultsExpireToTheTypeMaximum(t *testing.T) {
	r := good()
	r.Expire = 0
	reqs, err := Parse(Encode([]Request{r}))
	if err != nil {
		t.Fatal(err)
	}
	if reqs[0].Expire != 525600 {
		t.Fatalf("expire %d, want the type's 525600", reqs[0].Expire)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Encode([]Request{good()}))
	f.Add("W10")
	f.Add(base64.RawURLEncoding.EncodeToString([]byte(`[{"sysname":"PENSION","expire":1e30}]`)))
	f.Fuzz(func(t *testing.T, raw string) {
		reqs, err := Parse(raw)
		if err != nil {
			if reqs != nil || !strings.HasPrefix(err.Code, "ESIA-0") || err.Text == "" {
				t.Fatalf("bad refusal %v / %v", reqs, err)
			}
			return
		}
		if len(reqs) == 0 || len(reqs) > MaxRequests {
			t.Fatalf("accepted %d requests", len(reqs))
		}
		for _, r := range reqs {
			tp, ok := LookupType(r.Sysname)
			if !ok || r.Expire <= 0 || r.Expire > tp.MaxExpire || len(r.Purposes) != 1 || len(r.Actions) == 0 {
				t.Fatalf("accepted an invalid request %+v", r)
			}
		}
		// What was accepted round-trips.
		if _, err := Parse(Encode(reqs)); err != nil {
			t.Fatalf("re-encoded request refused: %v", err)
		}
	})
}
