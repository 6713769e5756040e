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
	for _, name := range []string{"login", "consent", "message", "home", "debug", "account", "code", "outbox", "register", "recover"} {
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
	PersonaQuery  string // the picker's search (test mode)
	PersonaTotal  int    // how many accounts match it
	Clients       []clientRow
	Debug         *debugView
	Account       *accountView
	Code          *codeView
	Register      *registerView
	Recover       *recoverView
	Outbox        []outboxRow
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

// registerMessages adds a feature's UI texts from its own file (called from init); a key
// already present is a programming error.
func registerMessages(lang string, m map[string]string) {
	for k, v := range m {
		if _, dup := messages[lang][k]; dup {
			panic("provider: message " + k + " registered twice")
		}
		messages[lang][k] = v
	}
}

// messages are the UI texts; Russian wording follows the citizens' guides in shared/seeds.
var messages = map[string]map[string]string{
	"ru": {
		"code.title":              "Подтверждение входа",
		"code.sms":                "Введите код из СМС, отправленного на номер",
		"code.totp":               "Введите код из приложения-аутентификатора",
		"code.label":              "Код",
		"code.submit":             "Подтвердить",
		"code.resend":             "Отправить код повторно",
		"code.resend.at":          "Отправить код повторно можно после",
		"code.valid":              "Код действует до",
		"code.tries":              "Осталось попыток",
		"code.recovery":           "Нет доступа к телефону или приложению? Введите код восстановления",
		"code.recovery.label":     "Код восстановления",
		"code.wrong":              "Неверный код. Осталось попыток: %d",
		"code.notries":            "Попытки ввода кода исчерпаны. Запросите новый код.",
		"code.expired":            "Срок действия кода истёк. Запросите новый код.",
		"code.reused":             "Этот код уже использован. Дождитесь следующего кода в приложении.",
		"code.invalid":            "Неверный код",
		"code.toosoon":            "Новый код можно запросить после %s",
		"code.ratelimited":        "Слишком много кодов за последний час. Попробуйте позже.",
		"code.unavailable":        "Сервис требует подтверждения входа вторым фактором, но у учётной записи нет подтверждённого телефона или приложения-аутентификатора.",
		"lock.account":            "Вход в учётную запись временно заблокирован из-за нескольких неверных попыток. Попробуйте снова после %s или восстановите пароль.",
		"lock.code":               "Ввод кодов временно заблокирован из-за нескольких неверных попыток. Попробуйте снова после %s.",
		"lock.ip":                 "Слишком много неудачных попыток входа с вашего адреса. Попробуйте снова после %s.",
		"lock.permanent":          "Вход в учётную запись заблокирован. Восстановите пароль или обратитесь в службу поддержки.",
		"login.attempts":          "Осталось попыток: %d",
		"outbox.title":            "Исходящие сообщения",
		"outbox.intro":            "Сюда эмулятор «отправляет» СМС, письма и почтовые извещения: коды подтверждения, уведомления о входе и блокировке.",
		"outbox.empty":            "Сообщений нет.",
		"outbox.filter":           "Получатель",
		"outbox.show":             "Показать",
		"account.security":        "Безопасность",
		"security.status":         "Запрашивать код при каждом входе",
		"security.sms":            "да, по СМС",
		"security.totp":           "да, из приложения-аутентификатора",
		"security.off":            "нет",
		"security.totp.on":        "Подключить приложение-аутентификатор",
		"security.sms.on":         "Получать код по СМС",
		"security.sms.nophone":    "Сначала подтвердите номер мобильного телефона.",
		"security.enroll.scan":    "Отсканируйте QR-код приложением-аутентификатором или введите ключ вручную, затем введите код из приложения.",
		"security.enroll.qr":      "QR-код для приложения-аутентификатора",
		"security.enroll.secret":  "Ключ:",
		"security.enroll.expired": "Время подключения истекло. Начните заново.",
		"security.recovery.once":  "Коды восстановления — сохраните их: каждый можно использовать один раз, если нет доступа к приложению. Больше они не будут показаны.",
		"security.recovery.left":  "кодов восстановления",
		"security.off.hint":       "Чтобы отключить запрос кода, введите пароль и текущий код.",
		"security.off.button":     "Отключить",
		"security.off.password":   "Неверный пароль",
		"security.saved":          "Настройки сохранены.",
		"security.notify":         "Уведомления о входе",
		"security.notify.on":      "При каждом входе в учётную запись вы получаете уведомление.",
		"security.notify.off":     "Уведомления о входе отключены.",
		"security.notify.enable":  "Уведомлять о каждом входе",
		"security.notify.disable": "Не уведомлять",
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
		"login.pick.search":       "Найти по ФИО, телефону, почте или СНИЛС",
		"login.pick.find":         "Найти",
		"login.pick.shown":        "Показано",
		"login.pick.of":           "из",
		"login.pick.none":         "Никого не нашлось.",
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
		"code.title":              "Confirm the sign-in",
		"code.sms":                "Enter the code from the SMS sent to",
		"code.totp":               "Enter the code from your authenticator app",
		"code.label":              "Code",
		"code.submit":             "Confirm",
		"code.resend":             "Send the code again",
		"code.resend.at":          "You can ask for a new code after",
		"code.valid":              "The code is valid until",
		"code.tries":              "Attempts left",
		"code.recovery":           "No access to your phone or app? Enter a recovery code",
		"code.recovery.label":     "Recovery code",
		"code.wrong":              "Wrong code. Attempts left: %d",
		"code.notries":            "No attempts left for this code. Ask for a new one.",
		"code.expired":            "The code has expired. Ask for a new one.",
		"code.reused":             "This code was used already. Wait for the next code in the app.",
		"code.invalid":            "Wrong code",
		"code.toosoon":            "You can ask for a new code after %s",
		"code.ratelimited":        "Too many codes in the last hour. Try again later.",
		"code.unavailable":        "The service requires a second factor, but the account has no confirmed phone or authenticator app.",
		"lock.account":            "Signing in is locked for a while after several wrong attempts. Try again after %s or reset the password.",
		"lock.code":               "Entering codes is locked for a while after several wrong attempts. Try again after %s.",
		"lock.ip":                 "Too many failed sign-ins from your address. Try again after %s.",
		"lock.permanent":          "Signing in to the account is locked. Reset the password or contact support.",
		"login.attempts":          "Attempts left: %d",
		"outbox.title":            "Outbox",
		"outbox.intro":            "Where the emulator sends SMS, e-mails and postal notices: confirmation codes, sign-in and lock notices.",
		"outbox.empty":            "No messages.",
		"outbox.filter":           "Recipient",
		"outbox.show":             "Show",
		"account.security":        "Security",
		"security.status":         "Ask for a code at every sign-in",
		"security.sms":            "yes, by SMS",
		"security.totp":           "yes, from an authenticator app",
		"security.off":            "no",
		"security.totp.on":        "Connect an authenticator app",
		"security.sms.on":         "Get the code by SMS",
		"security.sms.nophone":    "Confirm your mobile phone first.",
		"security.enroll.scan":    "Scan the QR code with an authenticator app or type the key in, then enter the code it shows.",
		"security.enroll.qr":      "QR code for the authenticator app",
		"security.enroll.secret":  "Key:",
		"security.enroll.expired": "The enrolment expired. Start again.",
		"security.recovery.once":  "Recovery codes — keep them: each works once when you have no access to the app. They will not be shown again.",
		"security.recovery.left":  "recovery codes",
		"security.off.hint":       "To stop asking for a code, enter your password and a current code.",
		"security.off.button":     "Switch off",
		"security.off.password":   "Wrong password",
		"security.saved":          "Settings saved.",
		"security.notify":         "Sign-in notifications",
		"security.notify.on":      "You get a notice at every sign-in to the account.",
		"security.notify.off":     "Sign-in notifications are off.",
		"security.notify.enable":  "Notify me of every sign-in",
		"security.notify.disable": "Stop notifying",
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
		"login.pick.search":       "Find by name, phone, e-mail or SNILS",
		"login.pick.find":         "Find",
		"login.pick.shown":        "Showing",
		"login.pick.of":           "of",
		"login.pick.none":         "No one found.",
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
