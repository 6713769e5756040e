package consent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// Target is where claims go.
type Target string

const (
	TargetIDToken  Target = "id_token"
	TargetUserInfo Target = "userinfo"
	// TargetIntrospection has no member in the claims request: only the grant's scope claims.
	TargetIntrospection Target = "introspection"
)

// ClaimsRequest is the claims request parameter (OpenID Connect Core §5.5).
type ClaimsRequest struct {
	UserInfo map[string]*ClaimSpec `json:"userinfo,omitempty"`
	IDToken  map[string]*ClaimSpec `json:"id_token,omitempty"`
}

// ClaimSpec is one requested claim. A nil *ClaimSpec is a member given as null: the claim is
// requested in the default manner (voluntary).
type ClaimSpec struct {
	Essential bool              `json:"essential,omitempty"`
	Value     json.RawMessage   `json:"value,omitempty"`  // compact JSON, nil when absent
	Values    []json.RawMessage `json:"values,omitempty"` // compact JSON each
}

// For returns the member of the target (nil for introspection or a nil request).
func (c *ClaimsRequest) For(t Target) map[string]*ClaimSpec {
	if c == nil {
		return nil
	}
	switch t {
	case TargetIDToken:
		return c.IDToken
	case TargetUserInfo:
		return c.UserInfo
	}
	return nil
}

// Names returns every claim name the request asks for, in either target, sorted.
func (c *ClaimsRequest) Names() []string {
	if c == nil {
		return nil
	}
	set := map[string]bool{}
	for n := range c.UserInfo {
		set[n] = true
	}
	for n := range c.IDToken {
		set[n] = true
	}
	return sortedKeys(set)
}

// ErrClaimsRequest is wrapped by every ParseClaimsRequest error; the provider answers it
// with invalid_request.
var ErrClaimsRequest = errors.New("invalid claims request parameter")

// ParseClaimsRequest reads the claims parameter. An empty string is no request (nil, nil).
// The parameter must be a JSON object; its "userinfo" and "id_token" members null or
// objects; each claim null or an object whose "essential" is a boolean, "value" any JSON and
// "values" an array. Other top-level members and other keys of a claim object (extensions,
// e.g. "purpose") are ignored.
func ParseClaimsRequest(raw string) (*ClaimsRequest, error) {
	if raw == "" {
		return nil, nil
	}
	var top map[string]json.RawMessage
	if err := strictObject([]byte(raw), &top); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrClaimsRequest, err)
	}
	cr := &ClaimsRequest{}
	var err error
	if cr.UserInfo, err = parseMember(top["userinfo"]); err != nil {
		return nil, fmt.Errorf("%w: userinfo: %v", ErrClaimsRequest, err)
	}
	if cr.IDToken, err = parseMember(top["id_token"]); err != nil {
		return nil, fmt.Errorf("%w: id_token: %v", ErrClaimsRequest, err)
	}
	return cr, nil
}

// strictObject decodes a JSON object (not null, not another type) into m.
func strictObject(b []byte, m *map[string]json.RawMessage) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errors.New("not a JSON object")
	}
	return json.Unmarshal(b, m)
}

func isNull(b json.RawMessage) bool { return string(bytes.TrimSpace(b)) == "null" }

func parseMember(b json.RawMessage) (map[string]*ClaimSpec, error) {
	if b == nil || isNull(b) {
		return nil, nil
	}
	var members map[string]json.RawMessage
	if err := strictObject(b, &members); err != nil {
		return nil, err
	}
	out := make(map[string]*ClaimSpec, len(members))
	for name, m := range members {
		if isNull(m) {
			out[name] = nil
			continue
		}
		var fields map[string]json.RawMessage
		if err := strictObject(m, &fields); err != nil {
			return nil, fmt.Errorf("claim %q: %v", name, err)
		}
		spec := &ClaimSpec{}
		if e, ok := fields["essential"]; ok && !isNull(e) {
			if err := json.Unmarshal(e, &spec.Essential); err != nil {
				return nil, fmt.Errorf("claim %q: essential is not a boolean", name)
			}
		}
		if v, ok := fields["value"]; ok && !isNull(v) {
			spec.Value = compact(v)
		}
		if vs, ok := fields["values"]; ok && !isNull(vs) {
			var arr []json.RawMessage
			t := bytes.TrimSpace(vs)
			if len(t) == 0 || t[0] != '[' {
				return nil, fmt.Errorf("claim %q: values is not an array", name)
			}
			if err := json.Unmarshal(t, &arr); err != nil {
				return nil, fmt.Errorf("claim %q: values: %v", name, err)
			}
			for _, a := range arr {
				spec.Values = append(spec.Values, compact(a))
			}
		}
		out[name] = spec
	}
	return out, nil
}

func compact(b json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return slices.Clone(b) // already validated by Unmarshal; not reached
	}
	return buf.Bytes()
}

// Release decides which claims go to target for an authorization whose granted scopes are
// granted (any wire form):
//
//	released = claims of the granted scopes
//	         ∪ claims the request names for target that fall within the grant
//	         ∪ protocol claims the request names (sub, acr, auth_time … — set by the engine)
//
// A claim asked for by name is released only if some granted scope covers it; the claims
// parameter never widens the grant. missingEssential lists, sorted, the essential claims of
// target that the grant does not cover — the provider may log them, show them, or refuse; it
// must not release them. Release does not know the citizen's data: a covered claim the
// account has no value for is the provider's to omit.
func Release(granted []string, cr *ClaimsRequest, target Target) (claims map[string]bool, missingEssential []string) {
	covered := ScopeClaims(granted)
	claims = make(map[string]bool, len(covered))
	for c := range covered {
		claims[c] = true
	}
	for name, spec := range cr.For(target) {
		switch {
		case slices.Contains(ProtocolClaims, name), covered[name]:
			claims[name] = true
		case spec != nil && spec.Essential:
			missingEssential = append(missingEssential, name)
		}
	}
	sort.Strings(missingEssential)
	return claims, missingEssential
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
