package realclients_test

import (
	"context"
	"encoding/json"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/demo/stand"
)

// TestBrowserDemoCabinets walks the three demo cabinets (esia-emulator demo) in headless
// Chromium: login → data → logout at the Social Fund and social-protection cabinets, and at the
// disability registry a standard account's refusal (the emulator's level page, then the
// registry's explanation) before a confirmed account gets in. Screenshots:
// test-artifacts/demo-*.png.
func TestBrowserDemoCabinets(t *testing.T) {
	needTools(t, true)
	listen := func() net.Listener {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	s, err := stand.Start(context.Background(), stand.Options{Emulator: listen(), SFR: listen(), FRI: listen(), Socprot: listen()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	spec, _ := json.Marshal(map[string]string{"sfr": s.SFR, "fri": s.FRI, "socprot": s.Socprot,
		"confirmed": "+79990000003", "standard": "+79990000002", "password": personaPassword})
	artifacts := artifactsDir(t)
	type cabinet struct{ URL, Greeting, Body, Logged_Out string }
	var res struct {
		SFR, Socprot, FRI cabinet
		FRILevel          struct{ Emulator, Cabinet string } `json:"fri_level"`
	}
	if err := runNode(t, 60*time.Second, &res, "browser-demo.mjs", string(spec), filepath.Join(t.TempDir(), "profile"), artifacts); err != nil {
		t.Fatalf("%v\nscreenshots: %s/demo-*.png", err, artifacts)
	}
	for name, tc := range map[string]struct {
		got  cabinet
		want []string
	}{
		"sfr":     {res.SFR, []string{"СНИЛС", "000-000-600 03"}},
		"socprot": {res.Socprot, []string{"RF_PASSPORT", "000-000-600 03"}},
		"fri":     {res.FRI, []string{"000-000-600 03", "confirmed"}},
	} {
		if !strings.Contains(tc.got.Greeting, "Здравствуйте, Иванова Мария") {
			t.Errorf("%s: greeting %q", name, tc.got.Greeting)
		}
		for _, w := range tc.want {
			if !strings.Contains(tc.got.Body, w) {
				t.Errorf("%s: the data page lacks %q", name, w)
			}
		}
		if !strings.Contains(tc.got.Logged_Out, "Вы вышли из личного кабинета") {
			t.Errorf("%s: after «Выйти»: %q", name, tc.got.Logged_Out)
		}
	}
	if !strings.Contains(res.FRILevel.Emulator, "Недостаточный уровень учётной записи") ||
		!strings.Contains(res.FRILevel.Cabinet, "Наличие подтверждённой учётной записи на портале Госуслуг является обязательным условием") {
		t.Errorf("the registry's refusal: %+v", res.FRILevel)
	}
	t.Logf("screenshots: %s/demo-*.png", artifacts)
}
