package consent

import (
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"testing"
)

func TestParseClaimsRequest(t *testing.T) {
	cr, err := ParseClaimsRequest(`{
		"userinfo": {"name": {"essential": true}, "email": null, "x": {"essential": false, "purpose": "why"}},
		"id_token": {"acr": {"values": ["urn:a", "urn:b"]}, "snils": {"value": "123", "essential": null}},
		"other": 1}`)
	if err != nil {
		t.Fatal(err)
	}
	if s := cr.UserInfo["name"]; s == nil || !s.Essential {
		t.Errorf("name = %+v", s)
	}
	if s, ok := cr.UserInfo["email"]; !ok || s != nil {
		t.Errorf("email = %+v, %v (want present and nil)", s, ok)
	}
	if s := cr.UserInfo["x"]; s == nil || s.Essential {
		t.Errorf("x = %+v", s)
	}
	if s := cr.IDToken["acr"]; s == nil || len(s.Values) != 2 || string(s.Values[1]) != `"urn:b"` {
		t.Errorf("acr = %+v", s)
	}
	if s := cr.IDToken["snils"]; s == nil || s.Essential || string(s.Value) != `"123"` {
		t.Errorf("snils = %+v", s)
	}
	if got := cr.Names(); !slices.Equal(got, []string{"acr", "email", "name", "snils", "x"}) {
		t.Errorf("Names = %q", got)
	}

	for _, ok := range []string{``, `{}`, `{"userinfo":null}`, `{"id_token":{}}`, ` {"userinfo":{"a":{}}} `} {
		if _, err := ParseClaimsRequest(ok); err != nil {
			t.Errorf("ParseClaimsRequest(%q): %v", ok, err)
		}
	}
	if cr, err := ParseClaimsRequest(""); cr != nil || err != nil {
		t.Errorf("empty = %v, %v", cr, err)
	}
	for _, bad := range []string{
		`null`, `[]`, `"x"`, `{`, `{"userinfo":[]}`, `{"userinfo":"x"}`, `{"id_token":{"a":1}}`,
		`{"id_token":{"a":[]}}`, `{"userinfo":{"a":{"essential":"yes"}}}`, `{"userinfo":{"a":{"values":"x"}}}`,
		`{"userinfo":{"a":{"values":{}}}}`, `{} {}`, `{"userinfo":{"a":{"value":}}}`,
	} {
		_, err := ParseClaimsRequest(bad)
		if !errors.Is(err, ErrClaimsRequest) {
			t.Errorf("ParseClaimsRequest(%q) = %v, want ErrClaimsRequest", bad, err)
		}
	}
}

func TestRelease(t *testing.T) {
	must := func(raw string) *ClaimsRequest {
		cr, err := ParseClaimsRequest(raw)
		if err != nil {
			t.Fatal(err)
		}
		return cr
	}
	tests := []struct {
		name    string
		granted []string
		cr      *ClaimsRequest
		target  Target
		want    []string
		missing []string
	}{
		{"openid alone releases nothing", []string{"openid"}, nil, TargetIDToken, nil, nil},
		{"scope claims", []string{"openid", "fullname", "snils"}, nil, TargetUserInfo,
			[]string{"family_name", "given_name", "middle_name", "name", "snils"}, nil},
		{"oid echo form", []string{"openid", "birthdate?oid=5"}, nil, TargetIDToken, []string{"birthdate"}, nil},
		{"claim within the grant", []string{"openid", "fullname"},
			must(`{"userinfo":{"given_name":{"essential":true}}}`), TargetUserInfo,
			[]string{"family_name", "given_name", "middle_name", "name"}, nil},
		{"claim outside the grant is not released", []string{"openid", "fullname"},
			must(`{"userinfo":{"snils":null,"email":{"essential":false}}}`), TargetUserInfo,
			[]string{"family_name", "given_name", "middle_name", "name"}, nil},
		{"essential outside the grant is reported", []string{"openid", "fullname"},
			must(`{"userinfo":{"snils":{"essential":true},"inn":{"essential":true},"email":null}}`), TargetUserInfo,
			[]string{"family_name", "given_name", "middle_name", "name"}, []string{"inn", "snils"}},
		{"other target's member is ignored", []string{"openid"},
			must(`{"userinfo":{"snils":{"essential":true}}}`), TargetIDToken, nil, nil},
		{"id_token member", []string{"openid", "email"},
			must(`{"id_token":{"email":{"essential":true},"phone_number":{"essential":true}}}`), TargetIDToken,
			[]string{"email", "email_verified"}, []string{"phone_number"}},
		{"protocol claims released, never missing", []string{"openid"},
			must(`{"id_token":{"auth_time":{"essential":true},"acr":{"values":["x"]}}}`), TargetIDToken,
			[]string{"acr", "auth_time"}, nil},
		{"introspection ignores the request", []string{"openid", "snils"},
			must(`{"userinfo":{"inn":{"essential":true}},"id_token":{"inn":{"essential":true}}}`), TargetIntrospection,
			[]string{"snils"}, nil},
		{"kids and documents", []string{"kid_fullname", "kid_snils", "id_doc"}, nil, TargetUserInfo,
			[]string{"id_doc", "kids"}, nil},
		{"unticked optional scope: its claims absent", []string{"openid", "fullname"},
			must(`{"userinfo":{"birthdate":null}}`), TargetUserInfo,
			[]string{"family_name", "given_name", "middle_name", "name"}, nil},
		{"unknown granted scope releases nothing", []string{"bogus"}, nil, TargetUserInfo, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			claims, missing := Release(tt.granted, tt.cr, tt.target)
			got := slices.Sorted(maps.Keys(claims))
			if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("claims = %q, want %q", got, tt.want)
			}
			if !slices.Equal(missing, tt.missing) {
				t.Errorf("missing = %q, want %q", missing, tt.missing)
			}
		})
	}
}

// FuzzParseClaimsRequest: parsing never panics, a parsed request survives a JSON round trip
// with the same meaning, and Release over it stays within the grant.
func FuzzParseClaimsRequest(f *testing.F) {
	for _, s := range []string{
		``, `{}`, `null`, `{"userinfo":{"name":{"essential":true},"email":null}}`,
		`{"id_token":{"acr":{"values":["a",1,{"b":[null]}]},"snils":{"value":"1"}}}`,
		`{"userinfo":{"a":{"essential":"x"}}}`, `{"userinfo":{"\u003c":{"value":"<&>"}}}`,
		"{\"userinfo\":{\"a\":{\"value\":\"\xff\"}}}",
	} {
		f.Add(s)
	}
	granted := []string{"openid", "fullname", "email"}
	allowed := ScopeClaims(granted)
	f.Fuzz(func(t *testing.T, raw string) {
		cr, err := ParseClaimsRequest(raw)
		if err != nil {
			if !errors.Is(err, ErrClaimsRequest) {
				t.Fatalf("error does not wrap ErrClaimsRequest: %v", err)
			}
			return
		}
		if cr == nil {
			if raw != "" {
				t.Fatalf("nil request for %q", raw)
			}
			return
		}
		b, err := json.Marshal(cr)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		again, err := ParseClaimsRequest(string(b))
		if err != nil {
			t.Fatalf("re-parse of %s: %v", b, err)
		}
		if !sameRequest(cr, again) {
			t.Fatalf("round trip changed the request:\n%s\n%s", raw, b)
		}
		for _, tg := range []Target{TargetIDToken, TargetUserInfo} {
			claims, missing := Release(granted, cr, tg)
			for c := range claims {
				if !allowed[c] && !slices.Contains(ProtocolClaims, c) {
					t.Fatalf("released %q outside the grant", c)
				}
			}
			for _, m := range missing {
				if claims[m] {
					t.Fatalf("%q both released and missing", m)
				}
			}
		}
	})
}

func sameRequest(a, b *ClaimsRequest) bool {
	return sameMember(a.UserInfo, b.UserInfo) && sameMember(a.IDToken, b.IDToken)
}

func sameMember(a, b map[string]*ClaimSpec) bool {
	if len(a) != len(b) {
		return false
	}
	for k, sa := range a {
		sb, ok := b[k]
		if !ok || (sa == nil) != (sb == nil) {
			return false
		}
		if sa == nil {
			continue
		}
		if sa.Essential != sb.Essential || !sameJSON(sa.Value, sb.Value) || len(sa.Values) != len(sb.Values) {
			return false
		}
		for i := range sa.Values {
			if !sameJSON(sa.Values[i], sb.Values[i]) {
				return false
			}
		}
	}
	return true
}

func sameJSON(a, b json.RawMessage) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var va, vb any
	if json.Unmarshal(a, &va) != nil || json.Unmarshal(b, &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}
