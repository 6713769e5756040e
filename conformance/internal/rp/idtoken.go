package rp

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/conformance/internal/suite"
)

// JWT is a decoded (not yet verified) compact JWS.
type JWT struct {
	Raw    string
	Header map[string]any
	Claims map[string]any
}

func (j *JWT) Alg() string { s, _ := j.Header["alg"].(string); return s }
func (j *JWT) Kid() string { s, _ := j.Header["kid"].(string); return s }

// IDToken is a decoded ID token.
type IDToken struct{ *JWT }

func (i *IDToken) Sub() string {
	if i == nil || i.JWT == nil {
		return ""
	}
	s, _ := i.Claims["sub"].(string)
	return s
}

// Num returns a numeric claim.
func (j *JWT) Num(k string) (float64, bool) {
	v, ok := j.Claims[k].(float64)
	return v, ok
}

// DecodeJWT splits and decodes a compact JWS without verifying it.
func DecodeJWT(raw string) (*JWT, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("not a compact JWS: %d parts", len(parts))
	}
	j := &JWT{Raw: raw}
	for i, dst := range []*map[string]any{&j.Header, &j.Claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", i+1, err)
		}
		if err := json.Unmarshal(b, dst); err != nil || *dst == nil {
			return nil, fmt.Errorf("part %d is not a JSON object: %v", i+1, err)
		}
	}
	return j, nil
}

func ParseJWT(t *suite.T, name, raw string) *JWT {
	j, err := DecodeJWT(raw)
	if err != nil {
		t.Fatal(name, "%v", err)
	}
	return j
}

var signatureAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512, jose.EdDSA}

// VerifySignature checks a JWS against the provider's JWKS, choosing the key by kid.
func VerifySignature(t *suite.T, j *JWT) error {
	return VerifyWithKeys(j, t.S.JWKS)
}

func VerifyWithKeys(j *JWT, set jose.JSONWebKeySet) error {
	if j.Alg() == "none" || j.Alg() == "" {
		return fmt.Errorf("alg %q is not a signature", j.Alg())
	}
	sig, err := jose.ParseSignedCompact(j.Raw, signatureAlgs)
	if err != nil {
		return err
	}
	var candidates []jose.JSONWebKey
	if kid := j.Kid(); kid != "" {
		candidates = set.Key(kid)
		if len(candidates) == 0 {
			return fmt.Errorf("no key with kid %q in the JWKS", kid)
		}
	} else {
		candidates = set.Keys
	}
	var errs []error
	for _, k := range candidates {
		if k.Use != "" && k.Use != "sig" {
			continue
		}
		if _, err := sig.Verify(k.Key); err == nil {
			return nil
		} else {
			errs = append(errs, fmt.Errorf("kid %q: %w", k.KeyID, err))
		}
	}
	if len(errs) == 0 {
		return errors.New("no signing key in the JWKS")
	}
	return errors.Join(errs...)
}

// IDTokenWant is what an ID token must match.
type IDTokenWant struct {
	Client    suite.RP
	Nonce     string // "" when no nonce was sent: the token must then carry none
	Access    string // for at_hash
	Code      string // for c_hash
	AllowNone bool   // oidcc-idtoken-unsigned
	AnyNonce  bool   // a refreshed ID token: a nonce, when present, is not checked
}

// CheckIDToken validates an ID token as a relying party must (OIDC Core §3.1.3.7): the
// signature against the JWKS (key chosen by kid), iss, aud/azp, exp, iat, nonce, sub,
// auth_time, at_hash and c_hash.
func CheckIDToken(t *suite.T, raw string, w IDTokenWant) *IDToken {
	j := ParseJWT(t, "id_token is a JWT", raw)
	d := &t.S.Disc
	now := t.S.O.Now()
	skew := t.S.O.ClockSkew
	alg := j.Alg()
	if alg == "none" {
		t.Check("id_token signed", w.AllowNone, "alg none")
	} else {
		t.Warn("id_token alg advertised", slices.Contains(d.IDTokenSigningAlgValuesSupported, alg), "alg %s, id_token_signing_alg_values_supported %v", alg, d.IDTokenSigningAlgValuesSupported)
		if j.Kid() == "" {
			t.Check("id_token kid", len(t.S.JWKS.Keys) <= 1, "no kid while the JWKS holds %d keys (OIDC Core §10.1)", len(t.S.JWKS.Keys))
		} else {
			t.Check("id_token kid", len(t.S.JWKS.Key(j.Kid())) > 0, "kid %q in the JWKS", j.Kid())
		}
		err := VerifySignature(t, j)
		t.Check("id_token signature", err == nil, "%s kid %q: %v", alg, j.Kid(), ErrOr(err, "verified against the JWKS"))
	}
	c := j.Claims
	iss, _ := c["iss"].(string)
	t.Check("id_token iss", iss == t.S.O.Issuer, "iss %q, issuer %q", iss, t.S.O.Issuer)
	aud := Audiences(c["aud"])
	t.Check("id_token aud", slices.Contains(aud, w.Client.ID), "aud %v, client_id %q", c["aud"], w.Client.ID)
	azp, hasAzp := c["azp"].(string)
	if len(aud) > 1 {
		t.Warn("id_token azp with several audiences", hasAzp, "aud %v without azp", aud)
	}
	if hasAzp {
		t.Check("id_token azp", azp == w.Client.ID, "azp %q, client_id %q", azp, w.Client.ID)
	}
	exp, ok := j.Num("exp")
	t.Check("id_token exp", ok && Unix(exp).After(now.Add(-skew)), "exp %v, now %s", c["exp"], now.UTC().Format(time.RFC3339))
	iat, ok := j.Num("iat")
	t.Check("id_token iat", ok && !Unix(iat).After(now.Add(skew)), "iat %v, now %s", c["iat"], now.UTC().Format(time.RFC3339))
	if ok && exp != 0 {
		t.Check("id_token exp after iat", exp > iat, "exp %v, iat %v", exp, iat)
	}
	sub, _ := c["sub"].(string)
	t.Check("id_token sub", sub != "" && len(sub) <= 255, "sub %q", sub)
	nonce, hasNonce := c["nonce"].(string)
	switch {
	case w.AnyNonce:
		if hasNonce {
			t.Info("id_token nonce", "nonce %q", nonce)
		}
	case w.Nonce != "":
		t.Check("id_token nonce", nonce == w.Nonce, "nonce %q, sent %q", nonce, w.Nonce)
	default:
		t.Check("id_token without nonce", !hasNonce, "nonce %q though none was sent", nonce)
	}
	if v, has := c["auth_time"]; has {
		_, isNum := v.(float64)
		t.Check("id_token auth_time", isNum, "auth_time %v", v)
	}
	if v, has := c["at_hash"]; has && w.Access != "" {
		want, err := HalfHash(alg, w.Access)
		t.Check("id_token at_hash", err == nil && v == want, "at_hash %v, computed %q %v", v, want, ErrOr(err, ""))
	}
	if v, has := c["c_hash"]; has && w.Code != "" {
		want, err := HalfHash(alg, w.Code)
		t.Check("id_token c_hash", err == nil && v == want, "c_hash %v, computed %q %v", v, want, ErrOr(err, ""))
	}
	return &IDToken{j}
}

func ErrOr(err error, ok string) string {
	if err != nil {
		return err.Error()
	}
	return ok
}

func Unix(f float64) time.Time {
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9))
}

func Audiences(v any) []string {
	switch a := v.(type) {
	case string:
		return []string{a}
	case []any:
		out := make([]string, 0, len(a))
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// HalfHash is at_hash / c_hash: the left half of the hash of the value with the hash of the
// token's alg, base64url.
func HalfHash(alg, value string) (string, error) {
	var h hash.Hash
	switch {
	case strings.HasSuffix(alg, "256"):
		h = sha256.New()
	case strings.HasSuffix(alg, "384"):
		h = sha512.New384()
	case strings.HasSuffix(alg, "512") || alg == "EdDSA":
		h = sha512.New()
	default:
		return "", fmt.Errorf("no hash for alg %q", alg)
	}
	h.Write([]byte(value))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), nil
}
