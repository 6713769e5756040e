package rs

import (
	"crypto/sha1" //nolint:gosec // eTags only look like ESIA's 40-hex values; no security depends on them
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/storage"
)

// BuiltinPersons is the /rs data of the built-in personas that personas themselves do not
// carry: children, vehicles, a home phone, a work e-mail and documents besides the passport.
// config esia.persons.<key> replaces an entry.
func BuiltinPersons() map[string]config.ESIAPerson {
	return map[string]config.ESIAPerson{
		"standard": {
			Contacts: []config.ESIAContact{{Type: "PHN", Value: "+7(485)2000002"}},
			Documents: []config.ESIADocument{{Type: "RF_DRIVING_LICENSE", Series: "7612", Number: "345678",
				IssueDate: "2019-08-14", ExpiryDate: "2029-08-14", IssuedBy: "ГИБДД 7601", VrfStu: storage.VerifyVerified}},
		},
		"confirmed": {
			Contacts: []config.ESIAContact{
				{Type: "PHN", Value: "+7(495)0000003"},
				{Type: "CEM", Value: "m.ivanova@work.example.ru"},
			},
			Documents: []config.ESIADocument{
				{Type: "FRGN_PASS", Series: "75", Number: "1234567", IssueDate: "2019-03-01", ExpiryDate: "2029-03-01",
					IssuedBy: "МВД 77810", LastName: "IVANOVA", FirstName: "MARIIA", VrfStu: storage.VerifyVerified},
				{Type: "MDCL_PLCY", Number: "7700000000000003", IssueDate: "2011-05-01", IssuedBy: "АО «СК «Эмулятор-Мед»", VrfStu: storage.VerifyVerified},
			},
			Kids: []config.ESIAKid{{
				OID: "1000000031", LastName: "Иванов", FirstName: "Пётр", MiddleName: "Алексеевич",
				BirthDate: "2015-04-12", Gender: "M", SNILS: "000-000-600 31",
				Documents: []config.ESIADocument{
					{Type: "RF_BRTH_CERT", Series: "IV-МЮ", Number: "512345", IssueDate: "2015-04-20",
						IssuedBy: "Отдел ЗАГС Москвы № 81", ActNo: "170159770000101234567", ActDate: "2015-04-20", VrfStu: storage.VerifyVerified},
					{Type: "MDCL_PLCY", Number: "7700000000000031", IssueDate: "2015-05-10", IssuedBy: "АО «СК «Эмулятор-Мед»", VrfStu: storage.VerifyVerified},
				},
			}},
			Vehicles: []config.ESIAVehicle{{Name: "LADA VESTA", NumberPlate: "А123ВС777", RegSeries: "7701", RegNumber: "123456"}},
		},
		"confirmed-totp": {
			Vehicles: []config.ESIAVehicle{{Name: "KIA RIO", NumberPlate: "В456ОР178", RegSeries: "7802", RegNumber: "654321"}},
		},
	}
}

// REST shapes (esia-protocol.md §7), fields in the order of the published samples.

type collectionJSON struct {
	StateFacts []string `json:"stateFacts"`
	Size       int      `json:"size"`
	ETag       string   `json:"eTag"`
	Elements   []any    `json:"elements"`
}

type personJSON struct {
	StateFacts  []string `json:"stateFacts"`
	FirstName   string   `json:"firstName,omitempty"`
	LastName    string   `json:"lastName,omitempty"`
	MiddleName  string   `json:"middleName,omitempty"`
	BirthDate   string   `json:"birthDate,omitempty"`
	BirthPlace  string   `json:"birthPlace,omitempty"`
	Gender      string   `json:"gender,omitempty"`
	Trusted     bool     `json:"trusted"`
	Citizenship string   `json:"citizenship,omitempty"`
	SNILS       string   `json:"snils,omitempty"`
	INN         string   `json:"inn,omitempty"`
	UpdatedOn   int64    `json:"updatedOn"`
	Status      string   `json:"status"`
	Verifying   bool     `json:"verifying"`
	RIDDoc      int64    `json:"rIdDoc,omitempty"`
	ETag        string   `json:"eTag"`

	Contacts      *collectionJSON `json:"contacts,omitempty"`
	Addresses     *collectionJSON `json:"addresses,omitempty"`
	Documents     *collectionJSON `json:"documents,omitempty"`
	Vehicles      *collectionJSON `json:"vehicles,omitempty"`
	Kids          *collectionJSON `json:"kids,omitempty"`
	Organizations *collectionJSON `json:"organizations,omitempty"`
}

type contactJSON struct {
	StateFacts []string `json:"stateFacts"`
	ID         int64    `json:"id"`
	Type       string   `json:"type"`
	VrfStu     string   `json:"vrfStu"`
	Value      string   `json:"value"`
	ETag       string   `json:"eTag"`
}

type addressJSON struct {
	StateFacts []string `json:"stateFacts"`
	ID         int64    `json:"id"`
	Type       string   `json:"type"`
	AddressStr string   `json:"addressStr"`
	CountryID  string   `json:"countryId,omitempty"`
	ZipCode    string   `json:"zipCode,omitempty"`
	Region     string   `json:"region,omitempty"`
	City       string   `json:"city,omitempty"`
	Street     string   `json:"street,omitempty"`
	House      string   `json:"house,omitempty"`
	Flat       string   `json:"flat,omitempty"`
	FiasCode   string   `json:"fiasCode,omitempty"`
	ETag       string   `json:"eTag"`
}

type documentJSON struct {
	StateFacts []string `json:"stateFacts"`
	ID         int64    `json:"id"`
	Type       string   `json:"type"`
	VrfStu     string   `json:"vrfStu"`
	Series     string   `json:"series,omitempty"`
	Number     string   `json:"number"`
	IssueDate  string   `json:"issueDate,omitempty"`
	IssueID    string   `json:"issueId,omitempty"`
	IssuedBy   string   `json:"issuedBy,omitempty"`
	ExpiryDate string   `json:"expiryDate,omitempty"`
	LastName   string   `json:"lastName,omitempty"`
	FirstName  string   `json:"firstName,omitempty"`
	ActNo      string   `json:"actNo,omitempty"`
	ActDate    string   `json:"actDate,omitempty"`
	ETag       string   `json:"eTag"`
}

type vehicleJSON struct {
	StateFacts     []string     `json:"stateFacts"`
	ID             int64        `json:"id"`
	Name           string       `json:"name"`
	NumberPlate    string       `json:"numberPlate"`
	RegCertificate *regCertJSON `json:"regCertificate,omitempty"`
	ETag           string       `json:"eTag"`
}

type regCertJSON struct {
	Series string `json:"series"`
	Number string `json:"number"`
}

type kidJSON struct {
	StateFacts []string `json:"stateFacts"`
	ID         int64    `json:"id"`
	FirstName  string   `json:"firstName,omitempty"`
	LastName   string   `json:"lastName,omitempty"`
	MiddleName string   `json:"middleName,omitempty"`
	BirthDate  string   `json:"birthDate,omitempty"`
	Gender     string   `json:"gender,omitempty"`
	SNILS      string   `json:"snils,omitempty"`
	INN        string   `json:"inn,omitempty"`
	ETag       string   `json:"eTag"`
}

var identifiable = []string{"Identifiable"}

// etag is ESIA-like: 40 upper-case hex digits over the element's content.
func etag(v any) string {
	b, _ := json.Marshal(v)
	h := sha1.Sum(b) //nolint:gosec // see the import
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// esiaDate turns YYYY-MM-DD into dd.MM.yyyy ("" stays "").
func esiaDate(iso string) string {
	if len(iso) != 10 || iso[4] != '-' || iso[7] != '-' {
		return iso
	}
	return iso[8:10] + "." + iso[5:7] + "." + iso[0:4]
}

// esiaPhone formats +7XXXXXXXXXX as ESIA does: +7(XXX)XXXXXXX.
func esiaPhone(p string) string {
	if len(p) == 12 && strings.HasPrefix(p, "+7") && isDigits(p[2:]) {
		return "+7(" + p[2:5] + ")" + p[5:]
	}
	return p
}

// formatSNILS writes 11 digits as 000-000-600 03.
func formatSNILS(s string) string {
	if len(s) == 11 && isDigits(s) {
		return s[0:3] + "-" + s[3:6] + "-" + s[6:9] + " " + s[9:11]
	}
	return s
}

// elementID numbers the elements of a collection: oid·1000 + kind·100 + index.
func elementID(oid string, kind, i int) int64 { return oidNumber(oid)*1000 + int64(kind*100+i) }

const (
	kindContact = 1
	kindAddress = 2
	kindDoc     = 3
	kindVehicle = 5
)

// personView is a user with the dialect's extra data, turned into ESIA's elements.
type personView struct {
	user  storage.User
	extra config.ESIAPerson
}

func (a *API) view(u storage.User) personView {
	return personView{user: u, extra: a.Persons[u.Persona]}
}

func (p personView) contacts() []contactJSON {
	u := p.user
	var out []contactJSON
	add := func(typ, vrf, value string) {
		if vrf == "" {
			vrf = storage.VerifyNotVerified
		}
		c := contactJSON{StateFacts: identifiable, ID: elementID(u.ID, kindContact, len(out)+1), Type: typ, VrfStu: vrf, Value: value}
		c.ETag = etag(c)
		out = append(out, c)
	}
	if u.Phone != "" {
		add("MBT", verified(u.PhoneVerified), esiaPhone(u.Phone))
	}
	if u.Email != "" {
		add("EML", verified(u.EmailVerified), u.Email)
	}
	for _, c := range p.extra.Contacts {
		vrf := c.VrfStu
		if c.Type == "PHN" || c.Type == "CEM" {
			vrf = storage.VerifyNotVerified // only MBT and EML can be VERIFIED
		}
		add(c.Type, vrf, c.Value)
	}
	return out
}

func verified(ok bool) string {
	if ok {
		return storage.VerifyVerified
	}
	return storage.VerifyNotVerified
}

func (p personView) addresses() []addressJSON {
	var out []addressJSON
	for i, a := range p.user.Addresses {
		e := addressJSON{StateFacts: identifiable, ID: elementID(p.user.ID, kindAddress, i+1), Type: a.Type, AddressStr: a.AddressStr,
			ZipCode: a.ZipCode, Region: a.Region, City: a.City, Street: a.Street, House: a.House, Flat: a.Flat, FiasCode: a.FIASCode}
		switch a.Country {
		case "RU", "RUS", "":
			e.CountryID = "RUS"
		default:
			e.CountryID = a.Country
		}
		if e.ZipCode == "" && len(a.AddressStr) >= 6 && isDigits(a.AddressStr[:6]) {
			e.ZipCode = a.AddressStr[:6]
		}
		e.ETag = etag(e)
		out = append(out, e)
	}
	return out
}

func (p personView) documents() []documentJSON {
	var out []documentJSON
	for _, doc := range p.user.Documents {
		id, err := strconv.ParseInt(doc.ID, 10, 64)
		if err != nil {
			id = elementID(p.user.ID, kindDoc, 90+len(out))
		}
		e := documentJSON{StateFacts: identifiable, ID: id, Type: doc.Type, VrfStu: doc.VrfStu, Series: doc.Series, Number: doc.Number,
			IssueDate: esiaDate(doc.IssueDate), IssueID: strings.ReplaceAll(doc.IssueID, "-", ""), IssuedBy: doc.IssuedBy,
			ExpiryDate: esiaDate(doc.ExpiryDate)}
		if e.VrfStu == "" {
			e.VrfStu = storage.VerifyNotVerified
		}
		e.ETag = etag(e)
		out = append(out, e)
	}
	for i, doc := range p.extra.Documents {
		out = append(out, documentElement(doc, elementID(p.user.ID, kindDoc, i+1)))
	}
	return out
}

func documentElement(doc config.ESIADocument, id int64) documentJSON {
	e := documentJSON{StateFacts: identifiable, ID: id, Type: doc.Type, VrfStu: doc.VrfStu, Series: doc.Series, Number: doc.Number,
		IssueDate: esiaDate(doc.IssueDate), IssueID: strings.ReplaceAll(doc.IssueID, "-", ""), IssuedBy: doc.IssuedBy,
		ExpiryDate: esiaDate(doc.ExpiryDate), LastName: doc.LastName, FirstName: doc.FirstName, ActNo: doc.ActNo, ActDate: esiaDate(doc.ActDate)}
	if e.VrfStu == "" {
		e.VrfStu = storage.VerifyVerified
	}
	e.ETag = etag(e)
	return e
}

func (p personView) vehicles() []vehicleJSON {
	var out []vehicleJSON
	for i, v := range p.extra.Vehicles {
		e := vehicleJSON{StateFacts: identifiable, ID: elementID(p.user.ID, kindVehicle, i+1), Name: v.Name, NumberPlate: v.NumberPlate}
		if v.RegSeries != "" || v.RegNumber != "" {
			e.RegCertificate = &regCertJSON{Series: v.RegSeries, Number: v.RegNumber}
		}
		e.ETag = etag(e)
		out = append(out, e)
	}
	return out
}

// kids returns the children with the fields the kid_* scopes release.
func (p personView) kids(g grants) []kidJSON {
	var out []kidJSON
	for _, k := range p.extra.Kids {
		e := kidJSON{StateFacts: identifiable, ID: oidNumber(k.OID)}
		if g["kid_fullname"] {
			e.FirstName, e.LastName, e.MiddleName = k.FirstName, k.LastName, k.MiddleName
		}
		if g["kid_birthdate"] {
			e.BirthDate = esiaDate(k.BirthDate)
		}
		if g["kid_gender"] {
			e.Gender = k.Gender
		}
		if g["kid_snils"] {
			e.SNILS = formatSNILS(strings.NewReplacer("-", "", " ", "").Replace(k.SNILS))
		}
		if g["kid_inn"] {
			e.INN = k.INN
		}
		e.ETag = etag(e)
		out = append(out, e)
	}
	return out
}

func (p personView) kid(oid string) (config.ESIAKid, bool) {
	for _, k := range p.extra.Kids {
		if k.OID == oid {
			return k, true
		}
	}
	return config.ESIAKid{}, false
}

// person is /rs/prns/{oid} with the fields the token's scopes release.
func (p personView) person(g grants) personJSON {
	u := p.user
	out := personJSON{StateFacts: []string{"EntityRoot"}, Trusted: u.Level == storage.LevelConfirmed,
		UpdatedOn: u.UpdatedAt.Unix(), Status: "REGISTERED"}
	if g["fullname"] {
		out.FirstName, out.LastName, out.MiddleName = u.FirstName, u.LastName, u.MiddleName
	}
	if g["birthdate"] {
		out.BirthDate = esiaDate(u.BirthDate)
	}
	if g["birthplace"] {
		out.BirthPlace = u.BirthPlace
	}
	if g["gender"] {
		out.Gender = u.Gender
	}
	if g.any("citizenship", "id_doc") {
		out.Citizenship = u.Citizenship
		if out.Citizenship == "" {
			out.Citizenship = "RUS"
		}
	}
	if g["snils"] {
		out.SNILS = formatSNILS(u.SNILS)
	}
	if g["inn"] {
		out.INN = u.INN
	}
	for _, doc := range p.documents() {
		if doc.VrfStu == storage.VerifyVerifying {
			out.Verifying = true
		}
		if g["id_doc"] && out.RIDDoc == 0 && (doc.Type == "RF_PASSPORT" || doc.Type == "FID_DOC") {
			out.RIDDoc = doc.ID
		}
	}
	out.ETag = etag(out)
	return out
}

// oidNumber is an account id (a decimal oid) as a number; 0 when it is not one.
func oidNumber(oid string) int64 {
	n, _ := strconv.ParseInt(oid, 10, 64)
	return n
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
