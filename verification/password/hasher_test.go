package password

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func testHasher() *Hasher { return &Hasher{Params: TestParams} }

func TestHashVerify(t *testing.T) {
	h := testHasher()
	enc, err := h.Hash("Секрет9пароль")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("unexpected encoding %q", enc)
	}
	ok, err := h.Verify(enc, "Секрет9пароль")
	if err != nil || !ok {
		t.Fatalf("Verify(right) = %v, %v", ok, err)
	}
	for _, wrong := range []string{"", "секрет9пароль", "Секрет9пароль ", "Секрет9пароль\x00"} {
		ok, err := h.Verify(enc, wrong)
		if err != nil || ok {
			t.Errorf("Verify(%q) = %v, %v; want false, nil", wrong, ok, err)
		}
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	h := testHasher()
	a, _ := h.Hash("x")
	b, _ := h.Hash("x")
	if a == b {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
}

func TestHashUsesRand(t *testing.T) {
	h := &Hasher{Params: TestParams, Rand: bytes.NewReader(make([]byte, 64))}
	enc, err := h.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	phc, _ := Parse(enc)
	if !bytes.Equal(phc.Salt, make([]byte, 16)) {
		t.Fatalf("salt %x not from injected Rand", phc.Salt)
	}
	h = &Hasher{Params: TestParams, Rand: bytes.NewReader(make([]byte, 3))}
	if _, err := h.Hash("pw"); err == nil {
		t.Fatal("short Rand: want error")
	}
}

func TestZeroHasherUsesDefaults(t *testing.T) {
	var h Hasher
	enc, err := h.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("zero Hasher encoding %q", enc)
	}
	if h.NeedsRehash(enc) {
		t.Fatal("NeedsRehash on own default hash")
	}
}

func TestVerifyHonoursStoredParams(t *testing.T) {
	other := &Hasher{Params: Params{Memory: 128, Iterations: 3, Parallelism: 2, SaltLen: 8, KeyLen: 16}}
	enc, err := other.Hash("pw")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=128,t=3,p=2$") {
		t.Fatalf("encoding %q", enc)
	}
	h := testHasher()
	if ok, err := h.Verify(enc, "pw"); err != nil || !ok {
		t.Fatalf("Verify with other params = %v, %v", ok, err)
	}
	if !h.NeedsRehash(enc) {
		t.Fatal("NeedsRehash(other params) = false")
	}
	if other.NeedsRehash(enc) {
		t.Fatal("NeedsRehash(same params) = true")
	}
	if !h.NeedsRehash("garbage") {
		t.Fatal("NeedsRehash(garbage) = false")
	}
}

func TestVerifyTampered(t *testing.T) {
	h := testHasher()
	enc, _ := h.Hash("pw")
	phc, _ := Parse(enc)

	flipKey := phc
	flipKey.Key = bytes.Clone(phc.Key)
	flipKey.Key[0] ^= 1
	flipSalt := phc
	flipSalt.Salt = bytes.Clone(phc.Salt)
	flipSalt.Salt[0] ^= 1
	moreT := phc
	moreT.Params.Iterations = 2
	shortKey := phc
	shortKey.Key = phc.Key[:16]
	shortKey.Params.KeyLen = 16

	for name, tampered := range map[string]string{
		"key": flipKey.String(), "salt": flipSalt.String(), "t": moreT.String(), "truncated key": shortKey.String(),
	} {
		ok, err := h.Verify(tampered, "pw")
		if err != nil || ok {
			t.Errorf("%s tampered: Verify = %v, %v; want false, nil", name, ok, err)
		}
	}
}

func TestParseErrors(t *testing.T) {
	good := "$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	if _, err := Parse(good); err != nil {
		t.Fatalf("Parse(good): %v", err)
	}
	for _, bad := range []string{
		"",
		"argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2i$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=16$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$t=1,m=64,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=064,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=+64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=64,t=0,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=64,t=1,p=0$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=64,t=1,p=256$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=4,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=4294967295,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=64,t=1,p=1,keyid=x$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAB$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // non-canonical
		"$argon2id$v=19$m=64,t=1,p=1$AAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",                   // salt too short
		"$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAA",                                        // key too short
		"$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA$",
		"$argon2id$v=19$m=64,t=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA-_",
	} {
		_, err := Parse(bad)
		if !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Parse(%q) error = %v; want ErrMalformedHash", bad, err)
		}
		h := testHasher()
		if ok, err := h.Verify(bad, "pw"); ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformedHash", bad, ok, err)
		}
	}
}

func TestParamsValidate(t *testing.T) {
	for _, p := range []Params{DefaultParams, TestParams} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	for name, p := range map[string]Params{
		"zero":         {},
		"memory < 8p":  {Memory: 15, Iterations: 1, Parallelism: 2, SaltLen: 16, KeyLen: 32},
		"memory huge":  {Memory: MaxMemory + 1, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		"t=0":          {Memory: 64, Iterations: 0, Parallelism: 1, SaltLen: 16, KeyLen: 32},
		"p=0":          {Memory: 64, Iterations: 1, Parallelism: 0, SaltLen: 16, KeyLen: 32},
		"short salt":   {Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 4, KeyLen: 32},
		"short key":    {Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 8},
		"too long key": {Memory: 64, Iterations: 1, Parallelism: 1, SaltLen: 16, KeyLen: 65},
	} {
		if err := p.Validate(); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: Validate = %v; want ErrInvalidParams", name, err)
		}
	}
	if _, err := New(Params{Memory: 1}, nil); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("New(bad) = %v", err)
	}
	h := &Hasher{Params: Params{Memory: 1}}
	if _, err := h.Hash("pw"); !errors.Is(err, ErrInvalidParams) {
		t.Errorf("Hash with bad params = %v", err)
	}
	h.VerifyAbsent("pw") // falls back to DefaultParams; must not panic
}

func TestVerifyAbsent(t *testing.T) {
	h, err := New(TestParams, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := h.dummyHash()
	phc, err := Parse(d)
	if err != nil {
		t.Fatalf("dummy %q: %v", d, err)
	}
	if phc.Params != TestParams {
		t.Fatalf("dummy params %+v, want %+v", phc.Params, TestParams)
	}
	h.VerifyAbsent("anything")
	if h.dummyHash() != d {
		t.Fatal("dummy recomputed")
	}
}

func TestVerifyAbsentConcurrent(t *testing.T) {
	h := testHasher()
	done := make(chan struct{})
	for range 8 {
		go func() { h.VerifyAbsent("x"); done <- struct{}{} }()
	}
	for range 8 {
		<-done
	}
}

func TestPHCRoundTrip(t *testing.T) {
	h := testHasher()
	enc, _ := h.Hash("pw")
	phc, err := Parse(enc)
	if err != nil {
		t.Fatal(err)
	}
	if phc.String() != enc {
		t.Fatalf("round trip: %q != %q", phc.String(), enc)
	}
}

func FuzzParse(f *testing.F) {
	h := testHasher()
	enc, _ := h.Hash("pw")
	f.Add(enc)
	f.Add("$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQxMjM0NTY3OA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Add("$argon2i$v=19$m=64,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("$argon2id$v=19$m=00,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("")
	f.Add("$$$$$")
	f.Fuzz(func(t *testing.T, s string) {
		phc, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformedHash) {
				t.Fatalf("error %v does not wrap ErrMalformedHash", err)
			}
			return
		}
		if err := phc.Params.Validate(); err != nil {
			t.Fatalf("accepted invalid params: %v", err)
		}
		if int(phc.Params.SaltLen) != len(phc.Salt) || int(phc.Params.KeyLen) != len(phc.Key) {
			t.Fatalf("lengths disagree: %+v", phc)
		}
		if got := phc.String(); got != s {
			t.Fatalf("not canonical: Parse(%q).String() = %q", s, got)
		}
	})
}

func benchmarkHash(b *testing.B, p Params) {
	h := &Hasher{Params: p}
	for b.Loop() {
		if _, err := h.Hash("Пароль123"); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkVerify(b *testing.B, p Params) {
	h := &Hasher{Params: p}
	enc, err := h.Hash("Пароль123")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if ok, _ := h.Verify(enc, "Пароль123"); !ok {
			b.Fatal("Verify failed")
		}
	}
}

func benchmarkVerifyAbsent(b *testing.B, p Params) {
	h, err := New(p, nil)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		h.VerifyAbsent("Пароль123")
	}
}

func BenchmarkHashDefault(b *testing.B)         { benchmarkHash(b, DefaultParams) }
func BenchmarkHashTest(b *testing.B)            { benchmarkHash(b, TestParams) }
func BenchmarkVerifyDefault(b *testing.B)       { benchmarkVerify(b, DefaultParams) }
func BenchmarkVerifyTest(b *testing.B)          { benchmarkVerify(b, TestParams) }
func BenchmarkVerifyAbsentDefault(b *testing.B) { benchmarkVerifyAbsent(b, DefaultParams) }
func BenchmarkVerifyAbsentTest(b *testing.B)    { benchmarkVerifyAbsent(b, TestParams) }
