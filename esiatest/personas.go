package esiatest

import (
	"net/http"
	"slices"

	"github.com/esia-emulator/esia-emulator/config"
)

// Level is an ESIA account level.
type Level string

// The three account levels.
const (
	Simplified Level = "simplified"
	Standard   Level = "standard"
	Confirmed  Level = "confirmed"
)

// SecondFactor is what a persona is asked for after the password.
type SecondFactor string

// Second factors: none, a code by SMS (read it with WaitForCode) or a TOTP code (secret
// TOTPSecret).
const (
	NoSecondFactor   SecondFactor = ""
	SecondFactorSMS  SecondFactor = "sms"
	SecondFactorTOTP SecondFactor = "totp"
)

// Keys of the built-in personas (Server.Persona), all with the password DefaultPassword.
const (
	PersonaSimplified    = "simplified"     // Смирнова Анна, simplified account
	PersonaStandard      = "standard"       // Петров Сергей, standard account
	PersonaConfirmed     = "confirmed"      // Иванова Мария, confirmed account
	PersonaConfirmedTOTP = "confirmed-totp" // Кузнецов Дмитрий, confirmed, TOTP second factor
	PersonaConfirmedSMS  = "confirmed-sms"  // Соколова Елена, confirmed, SMS second factor
	PersonaSuspended     = "suspended"      // a suspended standard account
)

// Persona is a test citizen. A persona logs in with its phone, e-mail or SNILS and its
// password.
type Persona struct {
	// Key names the persona (default "persona-<oid>"); OID is its ESIA id, the sub of its
	// tokens (default: assigned).
	Key string
	OID string
	// Password (default DefaultPassword).
	Password string
	// Level (default Standard).
	Level Level
	// Status: "active" (default), "suspended" or "needs_confirmation".
	Status string

	LastName, FirstName, MiddleName string
	BirthDate                       string // YYYY-MM-DD
	BirthPlace                      string
	Gender                          string // "M" or "F"
	// Phone (+7XXXXXXXXXX), Email, SNILS (XXX-XXX-XXX YY) and INN; at least one of phone,
	// e-mail and SNILS is needed to log in.
	Phone, Email, SNILS, INN string
	Passport                 *Passport
	Address                  string // registration address, one line
	SecondFactor             SecondFactor
}

// Passport is a Russian passport.
type Passport struct {
	Series, Number string
	IssueDate      string // YYYY-MM-DD
	IssuedBy       string
	UnitCode       string // ddd-ddd
}

func (p Persona) config() config.Persona {
	c := config.Persona{Key: p.Key, OID: p.OID, Password: p.Password, Level: string(p.Level), Status: p.Status,
		LastName: p.LastName, FirstName: p.FirstName, MiddleName: p.MiddleName, BirthDate: p.BirthDate,
		BirthPlace: p.BirthPlace, Gender: p.Gender, Phone: p.Phone, Email: p.Email, SNILS: p.SNILS, INN: p.INN,
		Address: p.Address, SecondFactor: string(p.SecondFactor)}
	if c.Password == "" {
		c.Password = DefaultPassword
	}
	if c.Level == "" {
		c.Level = string(Standard)
	}
	if c.Status == "" {
		c.Status = "active"
	}
	if p.Passport != nil {
		c.Passport = &config.Passport{Series: p.Passport.Series, Number: p.Passport.Number, IssueDate: p.Passport.IssueDate,
			IssuedBy: p.Passport.IssuedBy, UnitCode: p.Passport.UnitCode}
	}
	return c
}

func personaOf(c config.Persona) Persona {
	p := Persona{Key: c.Key, OID: c.OID, Password: c.Password, Level: Level(c.Level), Status: c.Status,
		LastName: c.LastName, FirstName: c.FirstName, MiddleName: c.MiddleName, BirthDate: c.BirthDate,
		BirthPlace: c.BirthPlace, Gender: c.Gender, Phone: c.Phone, Email: c.Email, SNILS: c.SNILS, INN: c.INN,
		Address: c.Address, SecondFactor: SecondFactor(c.SecondFactor)}
	if c.Passport != nil {
		p.Passport = &Passport{Series: c.Passport.Series, Number: c.Passport.Number, IssueDate: c.Passport.IssueDate,
			IssuedBy: c.Passport.IssuedBy, UnitCode: c.Passport.UnitCode}
	}
	return p
}

// Login is what the persona types in the login field: its phone, else e-mail, else SNILS.
func (p Persona) Login() string {
	switch {
	case p.Phone != "":
		return p.Phone
	case p.Email != "":
		return p.Email
	}
	return p.SNILS
}

// Personas are the citizens seeded at start: the built-ins (unless WithoutBuiltins) and
// those of WithPersona. Personas made with CreatePersona are not listed.
func (s *Server) Personas() []Persona {
	out := make([]Persona, 0, len(s.cfg.Personas))
	for _, p := range s.cfg.Personas {
		out = append(out, personaOf(p))
	}
	return out
}

// Persona returns a seeded persona by key (PersonaStandard, …); it fails the test when
// there is none.
func (s *Server) Persona(key string) Persona {
	s.t.Helper()
	i := slices.IndexFunc(s.cfg.Personas, func(p config.Persona) bool { return p.Key == key })
	if i < 0 {
		s.t.Fatalf("esiatest: no persona %q", key)
	}
	return personaOf(s.cfg.Personas[i])
}

// CreatePersona adds a citizen now (through the admin API) and returns it with its key, oid
// and password filled in. Reset removes it again. It fails the test when the emulator
// refuses the persona (a malformed phone or SNILS, a login another account has, …).
func (s *Server) CreatePersona(p Persona) Persona {
	s.t.Helper()
	pc := p.config()
	var view struct {
		OID     string `json:"oid"`
		Persona string `json:"persona"`
	}
	s.admin(http.MethodPost, "/admin/api/personas", pc, http.StatusCreated, &view)
	pc.OID, pc.Key = view.OID, view.Persona
	return personaOf(pc)
}
