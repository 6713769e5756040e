package web

// LoginMethodsPage is «Войти другим способом» (Methods) and the e-signature login page
// (Challenge set): the text to sign and the form that uploads the detached CMS signature.
type LoginMethodsPage struct {
	Frame
	AuthRequestID, CSRF string
	ClientName          string
	Error               string
	// Methods page: whether e-signature login is available (a test CA is configured).
	SignatureAvailable bool
	// E-signature page: the text to sign.
	Challenge string
}

func (*LoginMethodsPage) template() string { return "loginmethods" }
