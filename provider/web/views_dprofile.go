package web

// PermissionsPage is the Digital Profile consent step of an ESIA login with `permissions`
// (package provider/esia/dprofile): who asks, and for each consent its purpose, actions,
// data and expiry in the citizen's words. Allow and deny post to Action.
type PermissionsPage struct {
	Frame
	Action, CSRF, AuthRequestID, ClientName string
	Consents                                []PermissionView
}

// PermissionView is one Digital Profile consent as the citizen reads it.
type PermissionView struct {
	ID, Type, Purpose, Until, Status string
	Actions, Data                    []string
	Live                             bool
	ClientName, Granted              string
	// Responsible is the organisation the system names as responsible (responsibleObject).
	Responsible string
}

// AgreementsPage is the account's «Согласия» page: the Digital Profile consents the citizen
// gave, each with a withdraw button while it is live.
type AgreementsPage struct {
	Frame
	CSRF, Notice string
	Consents     []PermissionView
}

func (*PermissionsPage) template() string { return "permissions" }
func (*AgreementsPage) template() string  { return "agreements" }
