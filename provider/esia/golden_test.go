package esia_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Golden tests: the emulator's tokens and REST answers have the shapes of the real samples in
// esia-protocol.md §5 and §7 (testdata/golden): the same keys in the same order, the same
// JSON types (numbers stay numbers: sub, urn:esia:sbj_id, expires_in), nested objects alike.
// code.json is rebuilt from §5.3's claim list (the real code is quoted by claim names only);
// the eTags of the samples, truncated in the reference, are padded to 40 hex digits.

// orderedKeys returns an object's keys in document order.
func orderedKeys(t testing.TB, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", b)
	}
	var keys []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "bool"
	case float64:
		return "number"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// matchShape compares got with the golden sample. missingOK are sample keys got may lack,
// extraOK keys got may add; both apply at every depth.
func matchShape(t testing.TB, name string, golden, got []byte, missingOK, extraOK []string) {
	t.Helper()
	var g, o map[string]any
	if err := json.Unmarshal(golden, &g); err != nil {
		t.Fatalf("%s golden: %v", name, err)
	}
	if err := json.Unmarshal(got, &o); err != nil {
		t.Fatalf("%s: %v in %s", name, err, got)
	}
	gk, ok := orderedKeys(t, golden), orderedKeys(t, got)
	var wantOrder, gotOrder []string
	for _, k := range gk {
		if _, present := o[k]; present {
			wantOrder = append(wantOrder, k)
		} else if !slices.Contains(missingOK, k) {
			t.Errorf("%s: key %q of the real sample is missing", name, k)
		}
	}
	for _, k := range ok {
		if _, inGolden := g[k]; inGolden {
			gotOrder = append(gotOrder, k)
		} else if !slices.Contains(extraOK, k) {
			t.Errorf("%s: key %q is not in the real sample", name, k)
		}
	}
	if !slices.Equal(wantOrder, gotOrder) {
		t.Errorf("%s: key order %v, the sample has %v", name, gotOrder, wantOrder)
	}
	var gRaw, oRaw map[string]json.RawMessage
	_ = json.Unmarshal(golden, &gRaw)
	_ = json.Unmarshal(got, &oRaw)
	for k, gv := range g {
		ov, present := o[k]
		if !present {
			continue
		}
		if jsonType(gv) != jsonType(ov) {
			t.Errorf("%s: %q is %s, the sample has %s", name, k, jsonType(ov), jsonType(gv))
			continue
		}
		if _, isObj := gv.(map[string]any); isObj {
			matchShape(t, name+"."+k, gRaw[k], oRaw[k], missingOK, extraOK)
		}
	}
}

func golden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rawHeader(t testing.TB, tok string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.SplitN(tok, ".", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var (
	reDate  = regexp.MustCompile(`^\d{2}\.\d{2}\.\d{4}$`)
	reETag  = regexp.MustCompile(`^[0-9A-F]{40}$`)
	reSNILS = regexp.MustCompile(`^\d{3}-\d{3}-\d{3} \d{2}$`)
	rePhone = regexp.MustCompile(`^\+7\(\d{3}\)\d{7}$`)
)

func TestGoldenTokens(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid fullname email mobile inn contacts", "offline", "+79990000003")
	_, _, codeClaims := jwtParts(t, code)
	matchShape(t, "code", golden(t, "code.json"), codeClaims, nil, nil)
	matchShape(t, "code header", golden(t, "code_header.json"), rawHeader(t, code), nil, nil)

	form := c.tokenForm(false, "authorization_code", code, "openid fullname email mobile inn contacts")
	resp, err := e.srv.Client().PostForm(e.base+"/aas/oauth2/te", form)
	if err != nil {
		t.Fatal(err)
	}
	var raw json.RawMessage
	_ = json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	matchShape(t, "token response", golden(t, "token_response.json"), raw, nil, nil)
	var tokAny map[string]any
	_ = json.Unmarshal(raw, &tokAny)
	tok := map[string]string{"access_token": str(tokAny["access_token"]), "id_token": str(tokAny["id_token"])}

	_, ac, acRaw := jwtParts(t, tok["access_token"])
	matchShape(t, "access_token", golden(t, "access_token.json"), acRaw, nil, nil)
	matchShape(t, "access header", golden(t, "access_header.json"), rawHeader(t, tok["access_token"]), nil, nil)
	_, _, idRaw := jwtParts(t, tok["id_token"])
	matchShape(t, "id_token", golden(t, "id_token.json"), idRaw, nil, nil)
	matchShape(t, "id header", golden(t, "id_header.json"), rawHeader(t, tok["id_token"]), nil, nil)
	if !bytes.Contains(idRaw, []byte(`"urn:esia:sbj":{"urn:esia:sbj:typ":"P","urn:esia:sbj:is_tru":true,"urn:esia:sbj:oid":1000000003,"urn:esia:sbj:nam":"OID.1000000003"}`)) {
		t.Errorf("urn:esia:sbj: %s", idRaw)
	}
	scope := str(ac["scope"])
	for _, s := range strings.Fields(scope) {
		if s != "openid" && !strings.HasSuffix(s, "?oid=1000000003") {
			t.Errorf("scope %q without ?oid=", s)
		}
	}
	if ac["iss"] != "http://esia.gosuslugi.ru/" {
		t.Errorf("iss %v", ac["iss"])
	}

	// A standard account: no is_tru at all.
	s := e.rp(rpRSA, rsaKey)
	code, _ = s.loginFor(false, "openid", "online", "+79990000002")
	_, idc, idRaw2 := jwtParts(t, str(s.exchange(false, code, "openid")["id_token"]))
	matchShape(t, "id_token (standard)", golden(t, "id_token.json"), idRaw2, []string{"urn:esia:sbj:is_tru"}, nil)
	if bytes.Contains(idRaw2, []byte("is_tru")) || idc["amr"] != "PWD" {
		t.Errorf("standard id_token: %s", idRaw2)
	}
}

func TestGoldenREST(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	scope := "openid fullname birthdate gender birthplace snils inn id_doc citizenship contacts addresses vehicles drivers_licence_doc foreign_passport_doc"
	code, _ := c.loginFor(false, scope, "online", "+79990000003")
	at := str(c.exchange(false, code, scope)["access_token"])
	rawGet := func(path string) []byte {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.base+path, nil)
		req.Header.Set("Authorization", "Bearer "+at)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b.String())
		}
		return b.Bytes()
	}
	person := rawGet("/rs/prns/1000000003")
	matchShape(t, "person", golden(t, "person.json"), person, nil, nil)
	var p map[string]any
	_ = json.Unmarshal(person, &p)
	if !reDate.MatchString(str(p["birthDate"])) || !reETag.MatchString(str(p["eTag"])) || !reSNILS.MatchString(str(p["snils"])) || p["status"] != "REGISTERED" {
		t.Errorf("person values: %v", p)
	}

	coll := rawGet("/rs/prns/1000000003/ctts")
	matchShape(t, "collection", golden(t, "collection.json"), coll, nil, nil)
	var cl struct {
		Size     int   `json:"size"`
		Elements []any `json:"elements"`
	}
	_ = json.Unmarshal(coll, &cl)
	if cl.Size != 4 || len(cl.Elements) != 4 || !strings.HasPrefix(str(cl.Elements[0]), e.base+"/rs/prns/1000000003/ctts/") {
		t.Fatalf("contacts by link: %+v", cl)
	}
	// Follow the links the way fr05t1k does.
	types := map[string]string{}
	for _, link := range cl.Elements {
		el := rawGet(strings.TrimPrefix(str(link), e.base))
		matchShape(t, "contact", golden(t, "contact.json"), el, []string{"verifyingValue", "vrfValStu", "isCfmCodeExpired"}, nil)
		var m map[string]any
		_ = json.Unmarshal(el, &m)
		types[str(m["type"])] = str(m["vrfStu"])
		if m["type"] == "MBT" && !rePhone.MatchString(str(m["value"])) {
			t.Errorf("phone %v", m["value"])
		}
	}
	if types["MBT"] != "VERIFIED" || types["EML"] != "VERIFIED" || types["PHN"] != "NOT_VERIFIED" || types["CEM"] != "NOT_VERIFIED" {
		t.Errorf("contact types and states: %v", types)
	}

	var rawColl struct {
		Elements []json.RawMessage `json:"elements"`
	}
	docs := rawGet("/rs/prns/1000000003/docs?embed=(elements)")
	_ = json.Unmarshal(docs, &rawColl)
	seen := map[string]bool{}
	for _, b := range rawColl.Elements {
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		seen[str(m["type"])] = true
		if m["type"] == "RF_PASSPORT" {
			matchShape(t, "passport", golden(t, "document.json"), b, nil, []string{"stateFacts", "eTag"})
			if !reDate.MatchString(str(m["issueDate"])) || m["issueId"] != "770095" || m["id"] != p["rIdDoc"] {
				t.Errorf("passport values: %v (rIdDoc %v)", m, p["rIdDoc"])
			}
		}
	}
	if len(seen) != 2 || !seen["RF_PASSPORT"] || !seen["FRGN_PASS"] {
		t.Errorf("documents released: %v (MDCL_PLCY needs medical_doc)", seen)
	}

	vhls := rawGet("/rs/prns/1000000003/vhls?embed=(elements)")
	_ = json.Unmarshal(vhls, &rawColl)
	if len(rawColl.Elements) != 1 {
		t.Fatalf("vehicles: %s", vhls)
	}
	matchShape(t, "vehicle", golden(t, "vehicle.json"), rawColl.Elements[0], nil, []string{"stateFacts", "eTag"})

	emb := rawGet("/rs/prns/1000000003?embed=(contacts.elements,addresses.elements,documents,vehicles.elements,organizations.elements)")
	type collection struct {
		Size     int   `json:"size"`
		Elements []any `json:"elements"`
	}
	var pe struct {
		Contacts      *collection `json:"contacts"`
		Addresses     *collection `json:"addresses"`
		Documents     *collection `json:"documents"`
		Vehicles      *collection `json:"vehicles"`
		Organizations *collection `json:"organizations"`
	}
	_ = json.Unmarshal(emb, &pe)
	if pe.Contacts == nil || pe.Contacts.Size != 4 || pe.Addresses == nil || pe.Addresses.Size != 1 || pe.Vehicles == nil ||
		pe.Documents == nil || !strings.HasPrefix(str(pe.Documents.Elements[0]), "http") || pe.Organizations != nil {
		t.Fatalf("embedded person: %s", emb)
	}
	addr := pe.Addresses.Elements[0].(map[string]any)
	if addr["type"] != "PRG" || addr["zipCode"] != "119021" || addr["countryId"] != "RUS" {
		t.Errorf("address: %v", addr)
	}
}
