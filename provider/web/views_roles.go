package web

// RolePage asks a person with organisation roles whom they log in as.
type RolePage struct {
	Frame
	CSRF, AuthRequestID, ClientName string
	Options                         []RoleOption
	Error                           string // a message key
}

// RoleOption is one choice: the private person, or an employee of an organisation.
type RoleOption struct {
	Value   string // what the form posts ("P", or "org:<oid>")
	Private bool
	Name    string // the organisation's short name
	OGRN    string
	Chief   bool
	Admin   bool
	// For is set when the person acts for someone else (an emulator extension): "kid" (a
	// parent for their child) or "poa" (a power of attorney); Name is then that person.
	For string
}

func (*RolePage) template() string { return "role" }
