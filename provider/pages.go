package provider

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages holds one parsed template set per page (each page defines "content" for "base").
type pages struct{ sets map[string]*template.Template }

func newPages() (*pages, error) {
	ps := &pages{sets: map[string]*template.Template{}}
	for _, name := range []string{"login", "consent", "message", "home", "debug", "account"} {
		t, err := template.ParseFS(templateFS, "templates/base.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("templates: %w", err)
		}
		ps.sets[name] = t
	}
	return ps, nil
}

// pageData is what every page template sees. T translates a message key.
type pageData struct {
	TestMode      bool // shows the "тестовый режим" banner
	Lang          string
	Title         string // message key
	MainClass     string
	CSRF          string
	AuthRequestID string
	ClientName    string
	Login         string
	Error         string
	Consent       []consentItemView
	Paragraphs    []string
	Details       string
	FormAction    string
	FormButton    string // message key
	Issuer        string
	Personas      []personaRow
	Clients       []clientRow
	Debug         *debugView
	Account       *accountView
}

type personaRow struct{ Key, OID, Name, Level, Login string }
type clientRow struct {
	ID, Name     string
	RedirectURIs []string
}

// T returns the message for key in the page's language (the key itself when unknown, so a
// missing translation is visible rather than blank).
func (d pageData) T(key string) string { return translate(d.Lang, key) }

func translate(lang, key string) string {
	if m, ok := messages[lang][key]; ok {
		return m
	}
	if m, ok := messages["ru"][key]; ok {
		return m
	}
	return key
}

// render writes a page with status. Rendering goes to a buffer first so a template error
// never leaves half a page.
func (p *Provider) render(w http.ResponseWriter, r *http.Request, status int, page string, d pageData) {
	var buf bytes.Buffer
	d.TestMode = p.cfg.TestMode()
	if err := p.pages.sets[page].ExecuteTemplate(&buf, "base", d); err != nil {
		p.log.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self' *; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// message renders the generic message page (errors, notices).
func (p *Provider) message(w http.ResponseWriter, r *http.Request, status int, lang, title string, paragraphs ...string) {
	d := pageData{Lang: lang, Title: title}
	for _, k := range paragraphs {
		d.Paragraphs = append(d.Paragraphs, translate(lang, k))
	}
	p.render(w, r, status, "message", d)
}

// messages are the UI texts; Russian wording follows the citizens' guides in shared/seeds.
var messages = map[string]map[string]string{
	"ru": {
		"brand.name":              "ЕСИА (эмулятор)",
		"account.title":           "Личный кабинет",
		"account.profile":         "Мой профиль",
		"account.access":          "Доступ к данным",
		"account.history":         "История входов",
		"account.sessions":        "Активные сеансы",
		"account.level":           "Уровень учётной записи",
		"account.oid":             "Идентификатор (oid)",
		"account.birthdate":       "Дата рождения",
		"account.phone":           "Мобильный телефон",
		"account.email":           "Электронная почта",
		"account.access.none":     "Вы пока не предоставляли доступ к своим данным ни одному сервису.",
		"account.access.since":    "Доступ предоставлен",
		"account.access.withdraw": "Отозвать доступ",
		"account.withdrawn":       "Доступ отозван. Сервис больше не получит ваши данные, пока вы снова не разрешите.",
		"account.when":            "Когда",
		"account.event":           "Событие",
		"account.service":         "Сервис",
		"account.browser":         "Браузер",
		"account.started":         "Начат",
		"account.lastseen":        "Последняя активность",
		"account.current":         "этот сеанс",
		"account.end":             "Завершить",
		"account.session_ended":   "Сеанс завершён.",
		"account.logout":          "Выйти",
		"history.login":           "Вход",
		"history.login_failed":    "Неудачная попытка входа",
		"history.logout":          "Выход",
		"debug.title":             "Отладчик входа",
		"debug.heading":           "Отладчик входа",
		"debug.intro":             "Встроенный сайт-получатель: выполняет вход (code + PKCE) для любого клиента и показывает запрос, ответ, токены и userinfo — то, что получит ваш кабинет.",
		"debug.extra":             "Дополнительные параметры запроса (query)",
		"debug.start":             "Начать вход",
		"debug.again":             "Ещё раз",
		"maintenance.title":       "Технические работы",
		"maintenance.text":        "На портале проводятся технические работы. Попробуйте войти позже.",
		"testmode.banner":         "Тестовый режим: время, пользователи и ошибки управляются через API эмулятора",
		"brand.tag":               "эмулятор ЕСИА для разработки и тестирования",
		"brand.footer":            "Эмулятор ЕСИА для разработки и тестирования. Не является сервисом Госуслуг и не связан с ним.",
		"login.title":             "Вход",
		"login.heading":           "Вход",
		"login.for":               "Вход в",
		"login.login":             "Телефон / Email / СНИЛС",
		"login.password":          "Пароль",
		"login.submit":            "Войти",
		"login.hint":              "Телефон в формате +7 999 000-00-01 или 8 999 000-00-01, СНИЛС с разделителями или без.",
		"login.invalid":           "Неверный логин или пароль",
		"login.pick":              "Войти как… (тестовый режим)",
		"login.pick.hint":         "Вход без пароля, тем же путём: второй фактор и согласие будут запрошены, если они нужны.",
		"level.simplified":        "упрощённая",
		"level.standard":          "стандартная",
		"level.confirmed":         "подтверждённая",
		"login.empty":             "Введите логин и пароль",
		"consent.title":           "Предоставление прав доступа",
		"consent.heading":         "Предоставление прав доступа",
		"consent.asks":            "запрашивает доступ к вашим данным:",
		"consent.allow":           "Предоставить",
		"consent.deny":            "Отказать",
		"consent.required":        "обязательно для работы сервиса",
		"consent.granted":         "уже разрешено",
		"consent.sensitive":       "персональные данные",
		"consent.hint":            "Снимите отметку с данных, которые не хотите передавать. Разрешения можно отозвать в разделе «Доступ к данным».",
		"error.title":             "Ошибка",
		"error.details":           "Подробности для разработчика",
		"error.badrequest":        "Запрос на вход составлен неверно, поэтому вернуться на сайт нельзя. Сообщите об этом владельцу сайта, с которого вы пришли.",
		"error.expired":           "Время ожидания истекло. Вернитесь на сайт, с которого вы пришли, и начните вход заново.",
		"error.csrf.title":        "Запрос отклонён",
		"error.csrf":              "Форма устарела или открыта в другой вкладке. Вернитесь на сайт и начните вход заново.",
		"error.otherbrowser":      "Вход был начат в другом браузере. Вернитесь на сайт и начните вход заново.",
		"error.server":            "Сервис временно недоступен. Попробуйте позже.",
		"error.notfound":          "Страница не найдена.",
		"suspended.title":         "Учётная запись заблокирована",
		"suspended.text":          "Вход невозможен: учётная запись заблокирована.",
		"suspended.reason":        "Причина",
		"suspended.help":          "Для восстановления доступа обратитесь в центр обслуживания с паспортом.",
		"level.title":             "Недостаточный уровень учётной записи",
		"level.text":              "Этот сервис доступен только пользователям с подтверждённой учётной записью.",
		"level.text.standard":     "Этот сервис доступен пользователям со стандартной или подтверждённой учётной записью.",
		"level.how":               "Чтобы повысить уровень: заполните в профиле СНИЛС и паспортные данные и дождитесь их проверки (стандартная учётная запись); затем подтвердите личность в центре обслуживания, кодом подтверждения, полученным по почте, электронной подписью или через банк (подтверждённая учётная запись).",
		"level.back":              "Вернуться на сайт",
		"loggedout.title":         "Вы вышли",
		"loggedout.text":          "Вы вышли из учётной записи. Можно закрыть эту страницу.",
		"home.title":              "Эмулятор ЕСИА",
		"home.heading":            "Эмулятор ЕСИА",
		"home.intro":              "OpenID Connect-провайдер, который ведёт себя как ЕСИА (Госуслуги), для разработки и тестирования личных кабинетов.",
		"home.personas":           "Тестовые пользователи",
		"home.persona":            "Ключ",
		"home.name":               "Имя",
		"home.level":              "Уровень",
		"home.login":              "Логин",
		"home.password":           "Пароль у всех встроенных пользователей:",
		"home.clients":            "Клиенты",
	},
	"en": {
		"brand.name":              "ESIA (emulator)",
		"account.title":           "Personal account",
		"account.profile":         "My profile",
		"account.access":          "Access to data",
		"account.history":         "Login history",
		"account.sessions":        "Active sessions",
		"account.level":           "Account level",
		"account.oid":             "Identifier (oid)",
		"account.birthdate":       "Date of birth",
		"account.phone":           "Mobile phone",
		"account.email":           "E-mail",
		"account.access.none":     "You have not given any service access to your data yet.",
		"account.access.since":    "Access given",
		"account.access.withdraw": "Withdraw access",
		"account.withdrawn":       "Access withdrawn. The service will not receive your data until you allow it again.",
		"account.when":            "When",
		"account.event":           "Event",
		"account.service":         "Service",
		"account.browser":         "Browser",
		"account.started":         "Started",
		"account.lastseen":        "Last activity",
		"account.current":         "this session",
		"account.end":             "End",
		"account.session_ended":   "Session ended.",
		"account.logout":          "Sign out",
		"history.login":           "Sign-in",
		"history.login_failed":    "Failed sign-in",
		"history.logout":          "Sign-out",
		"debug.title":             "Login debugger",
		"debug.heading":           "Login debugger",
		"debug.intro":             "A built-in relying party: runs a code + PKCE login for any client and shows the request, the callback, the tokens and userinfo — what your cabinet will receive.",
		"debug.extra":             "Extra request parameters (query)",
		"debug.start":             "Start login",
		"debug.again":             "Again",
		"maintenance.title":       "Maintenance",
		"maintenance.text":        "The portal is under maintenance. Try to sign in later.",
		"testmode.banner":         "Test mode: time, citizens and failures are controlled through the emulator's API",
		"brand.tag":               "ESIA emulator for development and testing",
		"brand.footer":            "An ESIA emulator for development and testing. Not a Gosuslugi service and not affiliated with it.",
		"login.title":             "Sign in",
		"login.heading":           "Sign in",
		"login.for":               "Sign in to",
		"login.login":             "Phone / Email / SNILS",
		"login.password":          "Password",
		"login.submit":            "Sign in",
		"login.hint":              "Phone as +7 999 000-00-01 or 8 999 000-00-01, SNILS with or without separators.",
		"login.invalid":           "Wrong login or password",
		"login.pick":              "Sign in as… (test mode)",
		"login.pick.hint":         "No password, same path otherwise: the second factor and consent are still asked when needed.",
		"level.simplified":        "simplified",
		"level.standard":          "standard",
		"level.confirmed":         "confirmed",
		"login.empty":             "Enter your login and password",
		"consent.title":           "Access to your data",
		"consent.heading":         "Access to your data",
		"consent.asks":            "asks for access to your data:",
		"consent.allow":           "Allow",
		"consent.deny":            "Deny",
		"consent.required":        "required by the service",
		"consent.granted":         "already allowed",
		"consent.sensitive":       "personal data",
		"consent.hint":            "Untick the data you do not want to share. You can withdraw access later under «Доступ к данным».",
		"error.title":             "Error",
		"error.details":           "Details for the developer",
		"error.badrequest":        "The sign-in request is malformed, so you cannot be sent back to the site. Tell the owner of the site you came from.",
		"error.expired":           "The sign-in took too long. Go back to the site you came from and start again.",
		"error.csrf.title":        "Request refused",
		"error.csrf":              "The form is out of date or was opened in another tab. Go back to the site and start again.",
		"error.otherbrowser":      "The sign-in was started in another browser. Go back to the site and start again.",
		"error.server":            "The service is temporarily unavailable. Try again later.",
		"error.notfound":          "Page not found.",
		"suspended.title":         "Account suspended",
		"suspended.text":          "You cannot sign in: the account is suspended.",
		"suspended.reason":        "Reason",
		"suspended.help":          "To restore access, visit a service centre with your passport.",
		"level.title":             "Account level too low",
		"level.text":              "This service is open to confirmed accounts only.",
		"level.text.standard":     "This service is open to standard and confirmed accounts.",
		"level.how":               "To raise the level: add your SNILS and passport in the profile and wait for the checks (standard account); then confirm your identity at a service centre, with a code sent by registered letter, with an electronic signature or through a bank (confirmed account).",
		"level.back":              "Back to the site",
		"loggedout.title":         "Signed out",
		"loggedout.text":          "You have signed out. You may close this page.",
		"home.title":              "ESIA emulator",
		"home.heading":            "ESIA emulator",
		"home.intro":              "An OpenID Connect provider that behaves like ESIA (Gosuslugi), for developing and testing government-service cabinets.",
		"home.personas":           "Test citizens",
		"home.persona":            "Key",
		"home.name":               "Name",
		"home.level":              "Level",
		"home.login":              "Login",
		"home.password":           "Password of every built-in citizen:",
		"home.clients":            "Clients",
	},
}
