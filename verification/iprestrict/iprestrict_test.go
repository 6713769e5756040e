package iprestrict

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
		err  error
	}{
		{"", nil, nil},
		{"  \n ", nil, nil},
		{"203.0.113.0/24", []string{"203.0.113.0/24"}, nil},
		{"203.0.113.7/24", []string{"203.0.113.0/24"}, nil}, // host bits cleared
		{"198.51.100.5", []string{"198.51.100.5/32"}, nil},
		{"10.0.0.0/8, 192.168.1.0/24\n2001:db8::/32", []string{"10.0.0.0/8", "192.168.1.0/24", "2001:db8::/32"}, nil},
		{"10.0.0.0/8;10.1.2.3/8", []string{"10.0.0.0/8"}, nil}, // duplicates dropped
		{"::ffff:192.0.2.1", []string{"192.0.2.1/32"}, nil},
		{"::ffff:192.0.2.0/120", []string{"192.0.2.0/24"}, nil},
		{"0.0.0.0/0", nil, ErrTooBroad},
		{"::/0", nil, ErrTooBroad},
		{"10.0.0.0/33", nil, ErrBadEntry},
		{"example.com", nil, ErrBadEntry},
		{"fe80::1%eth0", nil, ErrBadEntry},
		{"1.2.3.4/", nil, ErrBadEntry},
		{strings.Repeat("1.2.3.4 ", 300), nil, ErrTooLong},
	} {
		got, err := Parse(tc.in)
		if !errors.Is(err, tc.err) || !slices.Equal(got, tc.want) {
			t.Errorf("Parse(%.40q) = %v, %v; want %v, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
	var many []string
	for i := range MaxNets + 1 {
		many = append(many, fmt.Sprintf("10.0.0.%d", i))
	}
	if _, err := Parse(strings.Join(many, " ")); !errors.Is(err, ErrTooMany) {
		t.Errorf("%d ranges: %v", len(many), err)
	}
}

func TestAllowed(t *testing.T) {
	nets := []string{"203.0.113.0/24", "2001:db8::/32"}
	for _, tc := range []struct {
		addr string
		want bool
	}{
		{"203.0.113.9", true},
		{"203.0.114.9", false},
		{"::ffff:203.0.113.9", true},
		{"2001:db8::1", true},
		{"2001:db9::1", false},
		{"", false},
		{"garbage", false},
	} {
		if got := Allowed(nets, tc.addr); got != tc.want {
			t.Errorf("Allowed(%q) = %v, want %v", tc.addr, got, tc.want)
		}
	}
	if !Allowed(nil, "garbage") {
		t.Error("no restriction must allow everything")
	}
}

// FuzzParse: any input ends in a bounded, canonical list that parses again to itself, or an
// error.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8", "1.2.3.4, ::1", "::ffff:1.2.3.4/120", "0.0.0.0/0", "fe80::1%eth0/64", "1.2.3.4/33"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Parse(s)
		if err != nil {
			return
		}
		if len(got) > MaxNets {
			t.Fatalf("%d ranges", len(got))
		}
		again, err := Parse(strings.Join(got, "\n"))
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("not canonical: %v → %v, %v", got, again, err)
		}
		for _, n := range got {
			if !Allowed(got, strings.Split(n, "/")[0]) {
				t.Fatalf("the network address of %s is not allowed", n)
			}
		}
	})
}
