package gost

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/esia-emulator/esia-emulator/provider/esia/gost/streebog"
)

func TestRawSignatureLayouts(t *testing.T) {
	r := hexInt(t, rfc7091R)
	s := hexInt(t, rfc7091S)
	rBE, sBE := make([]byte, 32), make([]byte, 32)
	r.FillBytes(rBE)
	s.FillBytes(sBE)
	cat := func(a, b []byte) []byte { return append(append([]byte(nil), a...), b...) }
	rev := func(b []byte) []byte { c := append([]byte(nil), b...); reverse(c); return c }

	want := map[ByteOrder][]byte{
		SR:         cat(sBE, rBE),
		SRReversed: rev(cat(sBE, rBE)), // = LE(r)‖LE(s)
		RS:         cat(rBE, sBE),
		RSReversed: rev(cat(rBE, sBE)), // = LE(s)‖LE(r)
	}
	if !bytes.Equal(want[SRReversed], cat(rev(rBE), rev(sBE))) {
		t.Fatal("SRReversed is not LE(r)‖LE(s)")
	}
	for _, o := range ByteOrders() {
		got, err := MarshalRawSignature(curveTestParam, r, s, o)
		if err != nil || !bytes.Equal(got, want[o]) {
			t.Fatalf("%v: Marshal = %x, %v; want %x", o, got, err, want[o])
		}
		pr, ps, err := ParseRawSignatureOrder(got, o)
		if err != nil || pr.Cmp(r) != 0 || ps.Cmp(s) != 0 {
			t.Fatalf("%v: Parse = %X, %X, %v", o, pr, ps, err)
		}
	}
	pr, ps, err := ParseRawSignature(want[SR])
	if err != nil || pr.Cmp(r) != 0 || ps.Cmp(s) != 0 {
		t.Fatal("ParseRawSignature is not SR")
	}
	if _, _, err := ParseRawSignature(make([]byte, 63)); err == nil {
		t.Fatal("accepted 63 bytes")
	}
	if _, _, err := ParseRawSignatureOrder(make([]byte, 64), ByteOrder(9)); err == nil {
		t.Fatal("accepted an unknown order")
	}
	if _, err := MarshalRawSignature(nil, new(big.Int).Lsh(big.NewInt(1), 256), s, SR); err == nil {
		t.Fatal("marshalled a 257-bit r")
	}
	if _, err := MarshalRawSignature(curveTestParam, curveTestParam.Q, s, SR); err == nil {
		t.Fatal("marshalled r = q")
	}
}

// TestVerifyRawLayouts signs as each kind of client would and checks that
// strict verification accepts only its own layout while VerifyRawAny names
// it.
func TestVerifyRawLayouts(t *testing.T) {
	priv, err := GenerateKey(TC26ParamSetA(), nil)
	if err != nil {
		t.Fatal(err)
	}
	pub := &priv.PublicKey
	// The v2 /ac message: client_id + scope + timestamp + state + redirect_uri.
	msg := "EKAP01" + "openid fullname" + "2025.09.02 13:00:29 +0300" +
		"d2d5f9b4-2a9e-4d0a-9d0b-3c2f4a0b7d11" + "https://rp.example/cb"
	digest := streebog.Sum256([]byte(msg))
	for _, o := range ByteOrders() {
		sig, err := SignRaw(nil, priv, digest[:], o)
		if err != nil {
			t.Fatal(err)
		}
		for _, o2 := range ByteOrders() {
			if got := VerifyRaw(pub, digest[:], sig, o2); got != (o == o2) {
				t.Errorf("signed %v, VerifyRaw(%v) = %v", o, o2, got)
			}
		}
		if got, ok := VerifyRawAny(pub, digest[:], sig); !ok || got != o {
			t.Errorf("signed %v, VerifyRawAny = %v, %v", o, got, ok)
		}
	}
	sig, _ := SignRaw(nil, priv, digest[:], SR)
	other := streebog.Sum256([]byte(msg + "x"))
	if _, ok := VerifyRawAny(pub, other[:], sig); ok {
		t.Fatal("VerifyRawAny accepted a different message")
	}
	if VerifyRaw(pub, digest[:], sig[:63], SR) {
		t.Fatal("accepted a short signature")
	}
}

func TestByteOrderString(t *testing.T) {
	seen := map[string]bool{}
	for _, o := range ByteOrders() {
		s := o.String()
		if seen[s] {
			t.Fatalf("duplicate name %q", s)
		}
		seen[s] = true
	}
	if ByteOrder(42).String() != "ByteOrder(42)" {
		t.Fatal(ByteOrder(42).String())
	}
}
