package consent

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// flow is the consent step as the provider's dispatcher runs it, without HTTP: decide, and on
// a page answer with the ticked boxes, store the outcome, decide again.
type flow struct {
	t      *testing.T
	grants Grants
	now    time.Time
}

// login runs one authorization. ticked == nil with a page means "deny". It returns the
// decision that was shown (Ask, Skip or Fail) and the scopes the authorization carries.
func (f flow) login(uid, client string, requested, required, prompt, ticked []string) (Decision, []string) {
	f.t.Helper()
	ctx := context.Background()
	gs, err := f.grants.Granted(ctx, uid, client, f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	in := Input{Requested: requested, Required: required, Granted: Scopes(gs), Prompt: prompt}
	d := Decide(in)
	switch d.Action {
	case Fail:
		return d, nil
	case Skip:
		return d, d.Scopes
	}
	if ticked == nil {
		return d, nil // denied: access_denied
	}
	o := Apply(in, ticked)
	if _, err := f.grants.Grant(ctx, uid, client, o.Grant, 0, f.now); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.grants.WithdrawScope(ctx, uid, client, f.now, o.Revoke...); err != nil {
		f.t.Fatal(err)
	}
	gs, _ = f.grants.Granted(ctx, uid, client, f.now)
	in.Granted, in.Answered = Scopes(gs), true
	again := Decide(in)
	if again.Action != Skip || !slices.Equal(again.Scopes, o.Scopes) {
		f.t.Fatalf("after answer: %+v, outcome %q", again, o.Scopes)
	}
	return d, o.Scopes
}

func TestConsentScenarios(t *testing.T) {
	f := flow{t: t, grants: Grants{Docs: memory.New()}, now: t0}
	ctx := context.Background()
	req := []string{"openid", "fullname", "birthdate", "snils"}
	req2 := []string{"openid", "fullname", "birthdate", "snils", "inn"}
	required := []string{"fullname", "snils"}

	// prompt=none without consent → consent_required.
	if d, _ := f.login("1", "sfr", req, required, []string{"none"}, nil); d.Action != Fail || d.Error != "consent_required" {
		t.Fatalf("prompt=none first: %+v", d)
	}
	// Deny: nothing stored, and the next attempt asks again.
	if d, scopes := f.login("1", "sfr", req, required, nil, nil); d.Action != Ask || scopes != nil {
		t.Fatalf("deny: %+v %q", d, scopes)
	}
	// First login asks; the citizen unticks birthdate.
	d, scopes := f.login("1", "sfr", req, required, nil, []string{})
	if d.Action != Ask {
		t.Fatalf("first login: %+v", d)
	}
	if !slices.Equal(scopes, []string{"openid", "fullname", "snils"}) {
		t.Fatalf("carried %q", scopes)
	}
	claims, _ := Release(scopes, nil, TargetIDToken)
	if claims["birthdate"] || !claims["family_name"] || !claims["snils"] {
		t.Errorf("unticked birthdate released: %v", claims)
	}
	// The claims parameter cannot bring it back.
	cr, _ := ParseClaimsRequest(`{"id_token":{"birthdate":{"essential":true}}}`)
	if claims, missing := Release(scopes, cr, TargetIDToken); claims["birthdate"] || !slices.Equal(missing, []string{"birthdate"}) {
		t.Errorf("claims parameter widened the grant: %v %q", claims, missing)
	}

	// Second login with the same scopes minus the unticked one: no page.
	if d, scopes := f.login("1", "sfr", []string{"openid", "fullname", "snils"}, required, nil, nil); d.Action != Skip || len(scopes) != 3 {
		t.Fatalf("second login: %+v", d)
	}
	// With prompt=none as well.
	if d, _ := f.login("1", "sfr", []string{"openid", "fullname", "snils"}, required, []string{"none"}, nil); d.Action != Skip {
		t.Fatalf("second login prompt=none: %+v", d)
	}
	// A new scope (inn) asks again, about inn and the previously unticked birthdate only.
	d, scopes = f.login("1", "sfr", req2, required, nil, []string{"inn", "birthdate"})
	if d.Action != Ask {
		t.Fatalf("new scope: %+v", d)
	}
	var asked []string
	for _, it := range d.Items {
		if it.Editable || (it.Required && !it.Granted) {
			asked = append(asked, it.Scope)
		}
	}
	if !slices.Equal(asked, []string{"birthdate", "inn"}) {
		t.Errorf("asked %q, items %+v", asked, d.Items)
	}
	if !slices.Equal(scopes, req2) {
		t.Errorf("carried %q", scopes)
	}
	// prompt=consent asks again even though all is granted.
	if d, _ := f.login("1", "sfr", req2, required, []string{"consent"}, req2); d.Action != Ask {
		t.Fatalf("prompt=consent: %+v", d)
	}
	// Another client is asked separately.
	if d, _ := f.login("1", "fri", req, nil, []string{"none"}, nil); d.Action != Fail {
		t.Fatalf("other client: %+v", d)
	}
	// Withdraw: the next login asks again.
	w, err := f.grants.Withdraw(ctx, "1", "sfr", f.now)
	if err != nil || len(w) != 4 {
		t.Fatalf("withdraw %+v %v", w, err)
	}
	if d, _ := f.login("1", "sfr", req2, required, nil, nil); d.Action != Ask {
		t.Fatalf("after withdraw: %+v", d)
	}
}
