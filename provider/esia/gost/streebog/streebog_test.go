package streebog

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"hash"
	"testing"
)

// RFC 6986 §10 prints messages and hash codes as 512-bit numbers, most
// significant digit first. A byte string is the little-endian encoding of such
// a number, so every RFC value has to be byte-reversed before use.
func rfcBytes(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return b
}

// cp1251 encodes the Cyrillic letters, ASCII space and comma of the RFC's
// second example in Windows-1251 (А…я map to 0xC0…0xFF).
func cp1251(t testing.TB, s string) []byte {
	t.Helper()
	var out []byte
	for _, r := range s {
		switch {
		case r < 0x80:
			out = append(out, byte(r))
		case r >= 'А' && r <= 'я':
			out = append(out, byte(r-'А'+0xC0))
		default:
			t.Fatalf("rune %q has no CP1251 mapping here", r)
		}
	}
	return out
}

const (
	// RFC 6986 §10.1, M1, as printed in the RFC.
	rfcM1 = "32313039383736353433323130393837363534333231303938373635343332" +
		"3130393837363534333231303938373635343332313039383736353433323130"
	rfcM1H512 = "486f64c1917879417fef082b3381a4e211c324f074654c38823a7b76f830ad00" +
		"fa1fbae42b1285c0352f227524bc9ab16254288dd6863dccd5b9f54a1ad0541b"
	rfcM1H256 = "00557be5e584fd52a449b16b0251d05d27f94ab76cbaa6da890b59d8ef1e159d"

	// RFC 6986 §10.2, M2 (72 bytes, CP1251 text), as printed in the RFC.
	rfcM2 = "fbe2e5f0eee3c820fbeafaebef20fffbf0e1e0f0f520e0ed20e8ece0ebe5f0f2" +
		"f120fff0eeec20f120faf2fee5e2202ce8f6f3ede220e8e6eee1e8f0f2d1202c" +
		"e8f0f2e5e220e5d1"
	rfcM2H512 = "28fbc9bada033b1460642bdcddb90c3fb3e56c497ccd0f62b8a2ad4935e85f03" +
		"7613966de4ee00531ae60f3b5a47f8dae06915d5f2f194996fcabf2622e6881e"
	rfcM2H256 = "508f7e553c06501d749a66fc28c6cac0b005746d97537fa85d9e40904efed29d"
)

func TestStreebogRFC6986Messages(t *testing.T) {
	m1 := rfcBytes(t, rfcM1)
	if want := "012345678901234567890123456789012345678901234567890123456789012"; string(m1) != want || len(m1) != 63 {
		t.Fatalf("M1 = %q (%d bytes), want %q", m1, len(m1), want)
	}
	m2 := rfcBytes(t, rfcM2)
	want2 := cp1251(t, "Се ветри, Стрибожи внуци, веютъ с моря стрелами на храбрыя плъкы Игоревы")
	if !bytes.Equal(m2, want2) || len(m2) != 72 {
		t.Fatalf("M2 = %x (%d bytes), want CP1251 text %x", m2, len(m2), want2)
	}
}

func TestStreebogRFC6986(t *testing.T) {
	for _, tc := range []struct {
		name, msg, h256, h512 string
	}{
		{"M1", rfcM1, rfcM1H256, rfcM1H512},
		{"M2", rfcM2, rfcM2H256, rfcM2H512},
	} {
		msg := rfcBytes(t, tc.msg)
		want256 := rfcBytes(t, tc.h256)
		want512 := rfcBytes(t, tc.h512)
		if got := Sum256(msg); !bytes.Equal(got[:], want256) {
			t.Errorf("%s: Sum256 = %x, want %x", tc.name, got, want256)
		}
		if got := Sum512(msg); !bytes.Equal(got[:], want512) {
			t.Errorf("%s: Sum512 = %x, want %x", tc.name, got, want512)
		}
		if got := New256().Sum(nil); len(got) != Size256 {
			t.Errorf("New256 size %d", len(got))
		}
		h := New256()
		h.Write(msg)
		if got := h.Sum(nil); !bytes.Equal(got, want256) {
			t.Errorf("%s: New256 = %x, want %x", tc.name, got, want256)
		}
		h = New512()
		h.Write(msg)
		if got := h.Sum([]byte("prefix")); !bytes.Equal(got, append([]byte("prefix"), want512...)) {
			t.Errorf("%s: New512 = %x, want prefix‖%x", tc.name, got, want512)
		}
	}
}

// TestStreebogOutputOrder pins the conventional (OpenSSL gost-engine,
// CryptoPro cpverify, BouncyCastle) hex form, which is what ESIA clients put
// in client_certificate_hash: the RFC number reversed.
func TestStreebogOutputOrder(t *testing.T) {
	got := Sum256([]byte("012345678901234567890123456789012345678901234567890123456789012"))
	if h := hex.EncodeToString(got[:]); h != "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500" {
		t.Fatalf("Sum256(M1) = %s", h)
	}
}

// Further widely published values (outside the RFC): the empty message and
// "The quick brown fox jumps over the lazy dog".
func TestStreebogKnownValues(t *testing.T) {
	for _, tc := range []struct{ msg, h256, h512 string }{
		{"",
			"3f539a213e97c802cc229d474c6aa32a825a360b2a933a949fd925208d9ce1bb",
			"8e945da209aa869f0455928529bcae4679e9873ab707b55315f56ceb98bef0a7" +
				"362f715528356ee83cda5f2aac4c6ad2ba3a715c1bcd81cb8e9f90bf4c1c1a8a"},
		{"The quick brown fox jumps over the lazy dog",
			"3e7dea7f2384b6c5a3d0e24aaa29c05e89ddd762145030ec22c71a6db8b2c1f4", ""},
	} {
		if got := Sum256([]byte(tc.msg)); hex.EncodeToString(got[:]) != tc.h256 {
			t.Errorf("Sum256(%q) = %x, want %s", tc.msg, got, tc.h256)
		}
		if tc.h512 == "" {
			continue
		}
		if got := Sum512([]byte(tc.msg)); hex.EncodeToString(got[:]) != tc.h512 {
			t.Errorf("Sum512(%q) = %x, want %s", tc.msg, got, tc.h512)
		}
	}
}

func TestStreebogIncremental(t *testing.T) {
	msg := make([]byte, 1000)
	for i := range msg {
		msg[i] = byte(i*7 + i>>8)
	}
	for _, size := range []int{Size256, Size512} {
		newH := New256
		if size == Size512 {
			newH = New512
		}
		for _, n := range []int{0, 1, 63, 64, 65, 127, 128, 129, 200, 1000} {
			data := msg[:n]
			one := oneShot(size, data)
			for _, chunk := range []int{1, 3, 7, 13, 31, 63, 64, 65, 100} {
				h := newH()
				for p := data; len(p) > 0; {
					c := min(chunk, len(p))
					h.Write(p[:c])
					p = p[c:]
				}
				if got := h.Sum(nil); !bytes.Equal(got, one) {
					t.Fatalf("size %d len %d chunk %d: %x != %x", size, n, chunk, got, one)
				}
				// Sum does not disturb the state; more writes continue the stream.
				h.Write([]byte("tail"))
				if got, want := h.Sum(nil), oneShot(size, append(append([]byte{}, data...), "tail"...)); !bytes.Equal(got, want) {
					t.Fatalf("size %d len %d chunk %d: continued hash mismatch", size, n, chunk)
				}
				h.Reset()
				h.Write(data)
				if got := h.Sum(nil); !bytes.Equal(got, one) {
					t.Fatalf("size %d len %d: Reset did not restore the IV", size, n)
				}
			}
		}
	}
}

func oneShot(size int, data []byte) []byte {
	if size == Size256 {
		s := Sum256(data)
		return s[:]
	}
	s := Sum512(data)
	return s[:]
}

func TestStreebogInterface(t *testing.T) {
	var _ hash.Hash = New256()
	if New256().Size() != 32 || New512().Size() != 64 || New256().BlockSize() != 64 {
		t.Fatal("wrong Size/BlockSize")
	}
}

func BenchmarkStreebog256(b *testing.B) {
	for _, n := range []int{64, 1024, 8192} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			data := make([]byte, n)
			h := New256()
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				h.Reset()
				h.Write(data)
				h.Sum(nil)
			}
		})
	}
}

func BenchmarkStreebog512(b *testing.B) {
	data := make([]byte, 8192)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		Sum512(data)
	}
}
