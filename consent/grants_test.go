package consent

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

func scopesOf(t *testing.T, g Grants, uid, client string, now time.Time) []string {
	t.Helper()
	gs, err := g.Granted(context.Background(), uid, client, now)
	if err != nil {
		t.Fatal(err)
	}
	s := Scopes(gs)
	slices.Sort(s)
	return s
}

func TestGrantsCRUD(t *testing.T) {
	ctx := context.Background()
	g := Grants{Docs: memory.New()}

	changed, err := g.Grant(ctx, "1000", "cabinet", []string{"fullname", "snils", "fullname"}, 0, t0)
	if err != nil || !slices.Equal(changed, []string{"fullname", "snils"}) {
		t.Fatalf("Grant = %q, %v", changed, err)
	}
	// Renewing changes nothing but reports only new scopes.
	changed, err = g.Grant(ctx, "1000", "cabinet", []string{"snils", "email"}, 0, t0.Add(time.Hour))
	if err != nil || !slices.Equal(changed, []string{"email"}) {
		t.Fatalf("second Grant = %q, %v", changed, err)
	}
	gs, err := g.Granted(ctx, "1000", "cabinet", t0.Add(2*time.Hour))
	if err != nil || len(gs) != 3 {
		t.Fatalf("Granted = %+v, %v", gs, err)
	}
	for _, gr := range gs {
		want := t0
		if gr.Scope == "email" {
			want = t0.Add(time.Hour)
		}
		if !gr.GrantedAt.Equal(want) || !gr.ExpiresAt.IsZero() || gr.UserID != "1000" || gr.ClientID != "cabinet" || gr.Schema != storage.SchemaVersion {
			t.Errorf("grant %+v", gr)
		}
	}
	// Another client and another user are separate.
	if _, err := g.Grant(ctx, "1000", "other", []string{"inn"}, 0, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Grant(ctx, "100", "cabinet", []string{"inn"}, 0, t0); err != nil { // prefix of "1000"
		t.Fatal(err)
	}
	if got := scopesOf(t, g, "1000", "cabinet", t0); !slices.Equal(got, []string{"email", "fullname", "snils"}) {
		t.Errorf("cabinet = %q", got)
	}
	if got := scopesOf(t, g, "100", "cabinet", t0); !slices.Equal(got, []string{"inn"}) {
		t.Errorf("user 100 = %q", got)
	}

	// WithdrawScope returns what it removed and skips what is not granted.
	w, err := g.WithdrawScope(ctx, "1000", "cabinet", t0, "snils", "inn", "snils")
	if err != nil || len(w) != 1 || w[0].Scope != "snils" {
		t.Fatalf("WithdrawScope = %+v, %v", w, err)
	}
	if got := scopesOf(t, g, "1000", "cabinet", t0); !slices.Equal(got, []string{"email", "fullname"}) {
		t.Errorf("after WithdrawScope = %q", got)
	}

	// Withdraw removes the client's grants only.
	w, err = g.Withdraw(ctx, "1000", "cabinet", t0)
	if err != nil || len(w) != 2 {
		t.Fatalf("Withdraw = %+v, %v", w, err)
	}
	if got := scopesOf(t, g, "1000", "cabinet", t0); len(got) != 0 {
		t.Errorf("after Withdraw = %q", got)
	}
	if got := scopesOf(t, g, "1000", "other", t0); !slices.Equal(got, []string{"inn"}) {
		t.Errorf("other client = %q", got)
	}
	if w, err := g.Withdraw(ctx, "1000", "cabinet", t0); err != nil || len(w) != 0 {
		t.Errorf("second Withdraw = %+v, %v", w, err)
	}

	// WithdrawAll.
	w, err = g.WithdrawAll(ctx, "1000", t0)
	if err != nil || len(w) != 1 || w[0].ClientID != "other" {
		t.Fatalf("WithdrawAll = %+v, %v", w, err)
	}
	if got := scopesOf(t, g, "100", "cabinet", t0); !slices.Equal(got, []string{"inn"}) {
		t.Errorf("user 100 after WithdrawAll of 1000 = %q", got)
	}
}

func TestGrantsExpiry(t *testing.T) {
	ctx := context.Background()
	g := Grants{Docs: memory.New()}
	if _, err := g.Grant(ctx, "1", "c", []string{"fullname"}, time.Hour, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Grant(ctx, "1", "c", []string{"snils"}, 0, t0); err != nil {
		t.Fatal(err)
	}
	gs, _ := g.Granted(ctx, "1", "c", t0)
	for _, gr := range gs {
		if gr.Scope == "fullname" && !gr.ExpiresAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("expiry %v", gr.ExpiresAt)
		}
	}
	if got := scopesOf(t, g, "1", "c", t0.Add(59*time.Minute)); !slices.Equal(got, []string{"fullname", "snils"}) {
		t.Errorf("before expiry = %q", got)
	}
	if got := scopesOf(t, g, "1", "c", t0.Add(time.Hour)); !slices.Equal(got, []string{"snils"}) {
		t.Errorf("at expiry = %q", got)
	}

	// Renewing before expiry keeps GrantedAt and moves the expiry.
	if ch, err := g.Grant(ctx, "1", "c", []string{"fullname"}, time.Hour, t0.Add(30*time.Minute)); err != nil || len(ch) != 0 {
		t.Fatalf("renew = %q, %v", ch, err)
	}
	gs, _ = g.Granted(ctx, "1", "c", t0.Add(80*time.Minute))
	if len(gs) != 2 || gs[0].Scope != "fullname" || !gs[0].GrantedAt.Equal(t0) || !gs[0].ExpiresAt.Equal(t0.Add(90*time.Minute)) {
		t.Errorf("after renew = %+v", gs)
	}
	// Renewing with ttl 0 makes it permanent.
	if _, err := g.Grant(ctx, "1", "c", []string{"fullname"}, 0, t0.Add(80*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := scopesOf(t, g, "1", "c", t0.Add(1000*time.Hour)); !slices.Equal(got, []string{"fullname", "snils"}) {
		t.Errorf("permanent = %q", got)
	}

	// After expiry the grant is new again: changed reports it, GrantedAt restarts.
	if _, err := g.Grant(ctx, "1", "d", []string{"inn"}, time.Minute, t0); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(time.Hour)
	if ch, err := g.Grant(ctx, "1", "d", []string{"inn"}, time.Minute, later); err != nil || !slices.Equal(ch, []string{"inn"}) {
		t.Fatalf("grant after expiry = %q, %v", ch, err)
	}
	gs, _ = g.Granted(ctx, "1", "d", later)
	if len(gs) != 1 || !gs[0].GrantedAt.Equal(later) {
		t.Errorf("re-granted = %+v", gs)
	}
	// Expired grants are not withdrawn (nothing live to report).
	if w, err := g.Withdraw(ctx, "1", "d", later.Add(time.Hour)); err != nil || len(w) != 0 {
		t.Errorf("Withdraw expired = %+v, %v", w, err)
	}
}

func TestGrantsEscaping(t *testing.T) {
	ctx := context.Background()
	g := Grants{Docs: memory.New()}
	org := "http://esia.gosuslugi.ru/org_emps?org_oid=1000298922"
	// A client id with a slash must not reach into another client's prefix.
	if _, err := g.Grant(ctx, "1", "a/b", []string{org}, 0, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Grant(ctx, "1", "a", []string{"fullname"}, 0, t0); err != nil {
		t.Fatal(err)
	}
	if got := scopesOf(t, g, "1", "a", t0); !slices.Equal(got, []string{"fullname"}) {
		t.Errorf("client a = %q", got)
	}
	if got := scopesOf(t, g, "1", "a/b", t0); !slices.Equal(got, []string{org}) {
		t.Errorf("client a/b = %q", got)
	}
	if w, err := g.WithdrawScope(ctx, "1", "a/b", t0, org); err != nil || len(w) != 1 {
		t.Errorf("WithdrawScope org = %+v, %v", w, err)
	}
	for _, bad := range [][3]string{{"", "c", "s"}, {"u", "", "s"}, {"u", "c", ""}} {
		if _, err := g.Grant(ctx, bad[0], bad[1], []string{bad[2]}, 0, t0); err == nil {
			t.Errorf("Grant(%q) accepted", bad)
		}
	}
	if _, err := g.Granted(ctx, "", "c", t0); err == nil {
		t.Error("Granted without user accepted")
	}
	if _, err := g.ListByUser(ctx, "", t0); err == nil {
		t.Error("ListByUser without user accepted")
	}
}

func TestListByUser(t *testing.T) {
	ctx := context.Background()
	g := Grants{Docs: memory.New()}
	mustGrant := func(client string, at time.Time, ttl time.Duration, scopes ...string) {
		t.Helper()
		if _, err := g.Grant(ctx, "7", client, scopes, ttl, at); err != nil {
			t.Fatal(err)
		}
	}
	mustGrant("sfr", t0.Add(2*time.Hour), 0, "snils", "fullname")
	mustGrant("sfr", t0.Add(time.Hour), 0, "id_doc")
	mustGrant("fri", t0, time.Hour, "birthdate")
	mustGrant("fri", t0.Add(3*time.Hour), 0, "openid", "fullname")
	if _, err := g.Grant(ctx, "8", "sfr", []string{"inn"}, 0, t0); err != nil {
		t.Fatal(err)
	}

	list, err := g.ListByUser(ctx, "7", t0.Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ClientID != "fri" || list[1].ClientID != "sfr" {
		t.Fatalf("ListByUser = %+v", list)
	}
	// fri's birthdate expired at t0+1h: since = its remaining grants.
	if !list[0].Since.Equal(t0.Add(3*time.Hour)) || !slices.Equal(list[0].Scopes(), []string{"openid", "fullname"}) {
		t.Errorf("fri = %+v", list[0])
	}
	// sfr: since the earliest grant; scopes in catalog order.
	if !list[1].Since.Equal(t0.Add(time.Hour)) || !slices.Equal(list[1].Scopes(), []string{"fullname", "snils", "id_doc"}) {
		t.Errorf("sfr = %+v (scopes %q)", list[1], list[1].Scopes())
	}
	// Before birthdate expired, fri's since is t0.
	list, err = g.ListByUser(ctx, "7", t0.Add(30*time.Minute))
	if err != nil || len(list) != 2 || !list[0].Since.Equal(t0) {
		t.Errorf("early ListByUser = %+v, %v", list, err)
	}
	if list, err := g.ListByUser(ctx, "nobody", t0); err != nil || len(list) != 0 {
		t.Errorf("empty = %+v, %v", list, err)
	}
}

type failingDocs struct{ storage.Docs }

func (failingDocs) ListDocsRaw(context.Context, string, string, time.Time) ([]storage.RawDoc, error) {
	return nil, storage.ErrUnavailable
}

func TestGrantsErrorsPropagate(t *testing.T) {
	g := Grants{Docs: failingDocs{memory.New()}}
	if _, err := g.Granted(context.Background(), "1", "c", t0); !errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("Granted: %v", err)
	}
	if _, err := g.Withdraw(context.Background(), "1", "c", t0); !errors.Is(err, storage.ErrUnavailable) {
		t.Errorf("Withdraw: %v", err)
	}
}

// docsOnly hides a store's ReadMany: GrantedOf reads one grant at a time.
type docsOnly struct{ storage.Docs }

// TestGrantedOfAnswersLikeGranted: the requested scopes' grants, read together or one by one,
// are those Granted lists among them, in the asked order.
func TestGrantedOfAnswersLikeGranted(t *testing.T) {
	ctx := context.Background()
	store := memory.New()
	g := Grants{Docs: store}
	must := func(_ []string, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(g.Grant(ctx, "1000", "cabinet", []string{"fullname", "email"}, 0, t0))
	must(g.Grant(ctx, "1000", "cabinet", []string{"mobile"}, time.Hour, t0)) // expires
	must(g.Grant(ctx, "1000", "other", []string{"snils"}, 0, t0))            // another client
	must(g.Grant(ctx, "100", "cabinet", []string{"snils"}, 0, t0))           // another user
	for _, tc := range []struct {
		name string
		ask  []string
		at   time.Time
		want []string
	}{
		{"in the asked order", []string{"snils", "email", "fullname"}, t0, []string{"email", "fullname"}},
		{"before the expiry", []string{"mobile"}, t0.Add(time.Minute), []string{"mobile"}},
		{"after the expiry", []string{"mobile", "email"}, t0.Add(2 * time.Hour), []string{"email"}},
		{"nothing asked", nil, t0, nil},
	} {
		for _, gr := range []Grants{g, {Docs: docsOnly{store}}} {
			got, err := gr.GrantedOf(ctx, "1000", "cabinet", tc.ask, tc.at)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("%s (%T): GrantedOf(%q) = %q, %v; want %q", tc.name, gr.Docs, tc.ask, got, err, tc.want)
			}
			all := scopesOf(t, g, "1000", "cabinet", tc.at)
			for _, s := range tc.ask {
				if slices.Contains(all, s) != slices.Contains(got, s) {
					t.Errorf("%s: Granted has %q: %v, GrantedOf: %v", tc.name, s, slices.Contains(all, s), slices.Contains(got, s))
				}
			}
		}
	}
	if _, err := g.GrantedOf(ctx, "", "cabinet", []string{"email"}, t0); err == nil {
		t.Error("GrantedOf without a user: no error")
	}
}
