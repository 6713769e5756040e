package accounts

import (
	"regexp"
	"strings"
	"testing"
)

func TestAddressOf(t *testing.T) {
	for _, tc := range []struct {
		line                                   string
		zip, region, city, street, house, flat string
	}{
		{"150003, Ярославская обл., г. Ярославль, ул. Советская, д. 12, кв. 45", "150003", "Ярославская обл.", "Ярославль", "ул. Советская", "12", "45"},
		{"119021, г. Москва, ул. Льва Толстого, д. 7, кв. 18", "119021", "Москва", "Москва", "ул. Льва Толстого", "7", "18"},
		{"630099, Новосибирская обл., г. Новосибирск, Красный пр-кт, д. 30, кв. 7", "630099", "Новосибирская обл.", "Новосибирск", "Красный пр-кт", "30", "7"},
		{"420111, Республика Татарстан, г. Казань, ул. Баумана, д. 19, кв. 2", "420111", "Республика Татарстан", "Казань", "ул. Баумана", "19", "2"},
		{"г. Тверь, пл. Ленина, д. 1", "", "", "Тверь", "пл. Ленина", "1", ""},
		{"где-то", "", "", "", "", "", ""},
	} {
		a := AddressOf("PRG", tc.line)
		got := []string{a.ZipCode, a.Region, a.City, a.Street, a.House, a.Flat}
		want := []string{tc.zip, tc.region, tc.city, tc.street, tc.house, tc.flat}
		if strings.Join(got, "|") != strings.Join(want, "|") || a.AddressStr != tc.line || a.Type != "PRG" {
			t.Errorf("%q: got %q, want %q", tc.line, got, want)
		}
	}
}

var guid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestFIASCodeIsAStableGUID(t *testing.T) {
	a, b := FIASCodeOf("г. Тверь, пл. Ленина, д. 1"), FIASCodeOf("г. Тверь, пл. Ленина, д. 2")
	if !guid.MatchString(a) || a == b || a != FIASCodeOf("г. Тверь, пл. Ленина, д. 1") {
		t.Fatalf("%s %s", a, b)
	}
}

func FuzzAddressOf(f *testing.F) {
	f.Add("150003, Ярославская обл., г. Ярославль, ул. Советская, д. 12, кв. 45")
	f.Add(",,, г , д , кв ")
	f.Fuzz(func(t *testing.T, line string) {
		a := AddressOf("PLV", line)
		if a.AddressStr != line || a.Type != "PLV" {
			t.Fatalf("the line or type changed: %+v", a)
		}
		if len(line) <= maxAddressLine && !guid.MatchString(a.FIASCode) {
			t.Fatalf("fiasCode %q", a.FIASCode)
		}
		for _, p := range []string{a.ZipCode, a.Region, a.City, a.Street, a.House, a.Flat} {
			if !strings.Contains(line, p) {
				t.Fatalf("part %q not in the line", p)
			}
		}
	})
}
