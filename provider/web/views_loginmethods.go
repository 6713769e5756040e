package web

import "html/template"

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
	// TestPersonas: test mode's test certificates, one per persona (the picker's first rows).
	TestPersonas []PersonaRow
}

func (*LoginMethodsPage) template() string { return "loginmethods" }

// QRLoginPage is the login through the Gosuslugi app: a QR code the app scans. The page
// follows the scan by itself (server-sent events at EventsURL, its only script) and, without
// scripts, reloads every few seconds and has a «Проверить» button.
type QRLoginPage struct {
	Frame
	AuthRequestID, CSRF string
	ClientName          string
	// QRImage is the QR code as a data: URL (PNG); QRText what it encodes.
	QRImage   template.URL
	QRText    string
	ExpiresAt string
	EventsURL string
	// Expired: the code expired (ESIA-007110); the page offers a new one.
	Expired bool
	Error   string
}

func (*QRLoginPage) template() string { return "qrlogin" }

// qrScript listens for the scan (or the expiry) and reloads the page, which then goes on.
const qrScript = `(function(){var q=document.getElementById("qr");if(!q||!q.dataset.events||!window.EventSource)return;` +
	`var s=new EventSource(q.dataset.events);function go(){s.close();location.reload()}` +
	`s.addEventListener("done",go);s.addEventListener("expired",go)})()`

// Script is the page's script (a constant: its hash is in the page's CSP).
func (*QRLoginPage) Script() template.JS { return qrScript }
