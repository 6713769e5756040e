package web

import (
	"html/template"

	"github.com/esia-emulator/esia-emulator/storage"
)

// Frame is what the base layout needs of every page. Render fills TestMode and the catalog.
type Frame struct {
	Lang      string
	Title     string // message key
	MainClass string // "wide" for pages with tables
	TestMode  bool   // shows the "тестовый режим" banner
	LangURL   string // the language link (Render sets it)
	// RefreshIn reloads the page at RefreshURL after so many seconds when scripts are off
	// (the code page's resend countdown).
	RefreshIn  int
	RefreshURL string
	Style      string // the stylesheet's address (Render sets it)
	catalog    *Catalog
}

// T returns the message for key in the page's language.
func (f Frame) T(key string) string {
	if f.catalog == nil {
		return key
	}
	return f.catalog.T(f.Lang, key)
}

func (f *Frame) frame() *Frame { return f }

// View is one page's data. Every page type embeds Frame and names its template.
type View interface {
	frame() *Frame
	template() string
}

// LoginPage is the password form (and the test-mode persona picker).
type LoginPage struct {
	Frame
	CSRF, AuthRequestID, ClientName string
	Login, Error                    string
	Personas                        []PersonaRow
	PersonaQuery                    string // the picker's search (test mode)
	PersonaTotal                    int    // how many accounts match it
}

// ConsentPage asks the citizen to grant scopes.
type ConsentPage struct {
	Frame
	CSRF, AuthRequestID, ClientName string
	Consent                         []ConsentItem
}

// ConsentItem is one scope on the consent page.
type ConsentItem struct {
	Scope, Text                            string
	Required, Granted, Editable, Sensitive bool
	// Missing: the account does not hold this data; shown without a checkbox, with the way to add it.
	Missing bool
}

// AnyMissing reports whether some scope asks for data the account does not hold.
func (p *ConsentPage) AnyMissing() bool {
	for _, it := range p.Consent {
		if it.Missing {
			return true
		}
	}
	return false
}

// CodePage asks for the second factor.
type CodePage struct {
	Frame
	CSRF, AuthRequestID, ClientName, Error string
	Notice                                 string // a new code was sent by itself
	Code                                   *CodeView
}

// codeScript is the code page's only script: the resend countdown, enabling the button when
// it reaches zero.
const codeScript = `(function(){var b=document.getElementById("resend"),l=document.getElementById("resend-left"),n=document.getElementById("resend-note");` +
	`if(!b||!b.dataset.wait)return;var end=Date.now()+1000*Number(b.dataset.wait);` +
	`(function tick(){var s=Math.ceil((end-Date.now())/1000);if(s<=0){b.disabled=false;if(n)n.hidden=true;return}` +
	`if(l)l.textContent=Math.floor(s/60)+":"+String(s%60).padStart(2,"0");setTimeout(tick,500)})()})()`

// Script is the page's script (a constant: its hash is in the page's CSP).
func (*CodePage) Script() template.JS { return codeScript }

// CodeView is a one-time code's state: method, where it went, validity, tries, resend.
type CodeView struct {
	Method              string // sms or totp
	Masked              string
	TriesLeft, Length   int
	ExpiresAt, ResendAt string
	CanResend, Recovery bool
	// Live: the code sent can still be used (ExpiresAt and TriesLeft are about it); Locked:
	// codes are locked for a while, so none is taken and none is sent.
	Live, Locked bool
	// ResendIn is how many seconds until the resend button works; ResendLeft the same as m:ss.
	ResendIn   int
	ResendLeft string
}

// MessagePage is every error and notice page, the 404 and the ESIA dialect's included: a
// Russian (or English) line or two, the next actions, and the developer detail folded under
// «Подробности». It never ends in a dead end: a page with neither a form button nor a link gets
// «Перейти в личный кабинет» (Render adds it).
type MessagePage struct {
	Frame
	Error                  string
	Paragraphs             []string
	Details                string // developer detail (English is fine)
	FormAction, FormButton string // FormButton is a message key
	FormFields             []Hidden
	AuthRequestID, CSRF    string
	Links                  []Link

	// RequestID is «код ошибки»: the request id (package requestid) of an error page, set by
	// Render for a status of 400 or more, so a screenshot leads to the log line.
	RequestID string
}

// Link is a next action on a message page; Label is a message key.
type Link struct {
	Href, Label string
	Secondary   bool
}

// NextActions reports whether the page offers something to click.
func (p *MessagePage) NextActions() bool { return p.FormAction != "" || len(p.Links) > 0 }

// FormPostPage is an authorization response in response_mode=form_post: one form that posts
// Params to the relying party's Action, submitted on load by the page's only script (allowed
// by its hash in the page's content security policy); without scripts the citizen presses
// «Продолжить».
type FormPostPage struct {
	Frame
	Action string
	Params []Hidden
}

// Hidden is a hidden form field.
type Hidden struct{ Name, Value string }

// formPostScript is the form_post page's only script.
const formPostScript = "document.forms[0].submit()"

// Script is the page's script (a constant: its hash is in the page's CSP).
func (*FormPostPage) Script() template.JS { return formPostScript }

// LogoutPage asks the citizen to confirm a logout a relying party asked for without proving
// it (RP-Initiated Logout 1.0 §2): one button, named "logout", posting the request's
// parameters back to Action with the session's form token.
type LogoutPage struct {
	Frame
	Action     string
	CSRF       string
	ClientName string // the client_id's name when it names a registered client
	Params     []Hidden
}

// HomePage is the emulator's start page: personas and demo clients.
type HomePage struct {
	Frame
	Issuer   string
	Personas []PersonaRow
	Clients  []ClientRow
	Try      []TryButton // «Попробовать вход», one per built-in demo client
}

// TryButton starts a login through a demo client into the built-in login debugger.
type TryButton struct{ ClientID, Name, Scope, CSRF string }

// PersonaRow is an account on the home page or in the picker.
type PersonaRow struct {
	Key, OID, Name, Level, Login string
	// The picker's label (test mode): the second factor asked at each login ("", "sms",
	// "totp") and the account's status ("active", "suspended", "needs_confirmation").
	SecondFactor, Status string
	// The label's words in the page's language, set by Render (labelPersonas) so that the
	// template does not look them up row by row: a page of 50 costs little more than one of 6.
	LevelText, FactorText, StatusText string
}

// labelPersonas sets the rows' LevelText, FactorText and StatusText in f's language.
func (f Frame) labelPersonas(rows []PersonaRow) {
	for i := range rows {
		p := &rows[i]
		if p.Level != "" {
			p.LevelText = f.T("level." + p.Level)
		}
		p.FactorText = f.T("pick.factor.none")
		if p.SecondFactor != "" {
			p.FactorText = f.T("pick.factor." + p.SecondFactor)
		}
		p.StatusText = ""
		if p.Status != "" && p.Status != "active" {
			p.StatusText = f.T("status." + p.Status)
		}
	}
}

// ClientRow is a relying party on the home page.
type ClientRow struct {
	ID, Name     string
	RedirectURIs []string
}

// OutboxPage lists the messages the emulator "sent".
type OutboxPage struct {
	Frame
	Login  string // the recipient filter
	Outbox []OutboxRow
	// NeedToken shows the admin token form instead (outbox: admin); WrongToken says the last
	// one typed was wrong.
	NeedToken, WrongToken bool
	CSRF                  string
}

// OutboxRow is one sent message.
type OutboxRow struct{ Time, Channel, To, Subject, Body, Code string }

// DebugPage is the test-mode login debugger.
type DebugPage struct {
	Frame
	CSRF, Error string
	Debug       *DebugView
	Again       string // where «Ещё раз» leads: /debug in test mode, the home page otherwise
}

// DebugView is the debugger's client list and the sections of a finished login.
type DebugView struct {
	Clients  []string
	Sections []DebugSection
}

// DebugSection is one titled block of the debugger's output.
type DebugSection struct{ Title, Body string }

// RegisterPage is the registration form and its code step.
type RegisterPage struct {
	Frame
	CSRF     string
	Register *RegisterView
}

// Script is the registration page's script: the code step's resend countdown.
func (*RegisterPage) Script() template.JS { return codeScript }

// RegisterView is the registration form's state.
type RegisterView struct {
	Step                            string // "form" or "code"
	LastName, FirstName, MiddleName string
	Phone, Email                    string
	Problems                        []string
	Masked                          string
	AuthRequestID                   string
	Code                            *CodeView // the code step: validity, tries, resend
	Agree, PD                       bool      // the agreement boxes as the citizen left them
	Errors                          FieldErrors
}

// RecoverPage is password recovery.
type RecoverPage struct {
	Frame
	CSRF    string
	Recover *RecoverView
}

// RecoverView is the recovery form's state.
type RecoverView struct {
	Step, Login, Masked, AuthRequestID string // Step: login, code or password
	Problems                           []string
	Code                               *CodeView // the code step: validity, tries, resend time
	Errors                             FieldErrors
}

// AccountPage is every tab of the citizen's account.
type AccountPage struct {
	Frame
	CSRF    string
	Account *AccountView
}

// AccountView is the account's tabs.
type AccountView struct {
	Section  string
	User     storage.User
	Level    string
	Access   []AccessRow
	History  []HistoryRow
	Sessions []SessionRow
	Notice   string
	Security *SecurityView
	Profile  *ProfileView
	Verify   string // a contact whose code form is open
}

// AccessRow is a service the citizen granted data to.
type AccessRow struct {
	ClientID, ClientName, Since string
	Data                        []string
}

// HistoryRow is a login-history entry.
type HistoryRow struct{ Time, Event, Service, IP, UserAgent string }

// SessionRow is a live session.
type SessionRow struct {
	ID, Started, LastSeen, IP, UserAgent string
	Current                              bool
}

// SecurityView is the second-factor and notification settings.
type SecurityView struct {
	SecondFactor  string
	PhoneVerified bool
	Recovery      int
	NotifyLogins  bool
	Enroll        *EnrollView
	RecoveryCodes []string // shown once, right after they are made
	Error         string
	Errors        FieldErrors
	// Download: the recovery codes just shown can be downloaded once by this session.
	Download bool
}

// EnrollView is an authenticator enrolment in progress.
type EnrollView struct {
	Secret string
	QR     template.URL // a data: URI of the PNG the emulator made itself
}

// ProfileView is the profile tab.
type ProfileView struct {
	Status, StatusReason, StatusSince, StatusDeadline string
	Contacts                                          []ContactRow
	Documents                                         []DocRow
	SNILS, SNILSState, INN, INNState                  string
	Checks                                            []CheckRow
	Missing                                           []string
	NextLevel                                         string
	Form                                              ProfileForm
	Problems                                          []string
	Editing                                           bool
	CanConfirm, ESignature                            bool
	Challenge                                         string
	Errors                                            FieldErrors
	// What the profile holds, shown as it is stored (dates ДД.ММ.ГГГГ).
	BirthDate, Gender, BirthPlace string
	Addresses                     []string
	// Failed lists the data a registry refused; the page shows them as errors with «Исправить».
	Failed []FailedCheck
}

// FailedCheck is data a registry check refused: what, why, and the form field to fix it in.
type FailedCheck struct{ What, Reason, Field string }

// ContactRow is a phone or e-mail with its verification state.
type ContactRow struct{ Kind, Value, State string }

// Script is the account page's script: the recovery codes' copy button.
func (*AccountPage) Script() template.JS { return copyScript }

// DocRow is a document with its verification state.
type DocRow struct {
	Type, Number, State          string
	IssueDate, IssuedBy, IssueID string // the passport's issue data (IssueID: department code)
	Failed                       bool
}

// CheckRow is a registry check.
type CheckRow struct{ Registry, State, Ready string }

// ProfileForm is the profile form's fields (dates YYYY-MM-DD).
type ProfileForm struct {
	BirthDate, BirthPlace, Gender                                string
	SNILS, INN                                                   string
	PassportSeries, PassportNumber, PassportDate, PassportIssuer string
	PassportUnit, Address                                        string
}

func (*LoginPage) template() string    { return "login" }
func (*ConsentPage) template() string  { return "consent" }
func (*CodePage) template() string     { return "code" }
func (*MessagePage) template() string  { return "message" }
func (*HomePage) template() string     { return "home" }
func (*OutboxPage) template() string   { return "outbox" }
func (*DebugPage) template() string    { return "debug" }
func (*RegisterPage) template() string { return "register" }
func (*RecoverPage) template() string  { return "recover" }
func (*AccountPage) template() string  { return "account" }
func (*FormPostPage) template() string { return "formpost" }
func (*LogoutPage) template() string   { return "logout" }
