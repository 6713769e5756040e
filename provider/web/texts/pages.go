package texts

// pagesMessages are the texts every page shares: the next actions of the message pages, the
// 404, the skip link and the logo.
func pagesMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"a11y.skip":            "Перейти к основному содержанию",
			"brand.logo1":          "гос",
			"brand.logo2":          "услуги",
			"action.account":       "Перейти в личный кабинет",
			"action.home":          "На главную",
			"action.back":          "Вернуться на сайт",
			"action.relogin":       "Войти снова",
			"action.profile":       "Перейти в профиль",
			"action.login":         "Войти",
			"error.notfound.title": "Страница не найдена",
			"error.notfound.text":  "Возможно, адрес набран с ошибкой или страница удалена. Проверьте адрес или перейдите на главную страницу.",
			"level.raise":          "Повысить уровень учётной записи можно в профиле.",
			"suspended.back":       "Сайт, с которого вы пришли, получит отказ во входе.",
			"loggedout.again":      "Чтобы продолжить работу, войдите снова.",
			"recover.done.login":   "Войти с новым паролем",
			"error.expired.title":  "Время ожидания истекло",
			"code.resent":          "Срок действия прежнего кода истёк. Новый код отправлен на номер %s.",
			"code.resend.in":       "через",
			"account.ip":           "IP-адрес",
			"profile.dates":        "Даты — в формате ДД.ММ.ГГГГ, например 31.01.1980.",
			"home.discovery":       "Настройки провайдера",
		},
		"en": {
			"a11y.skip":            "Skip to main content",
			"brand.logo1":          "gos",
			"brand.logo2":          "uslugi",
			"action.account":       "Go to your account",
			"action.home":          "Home page",
			"action.back":          "Back to the site",
			"action.relogin":       "Sign in again",
			"action.profile":       "Open the profile",
			"action.login":         "Sign in",
			"error.notfound.title": "Page not found",
			"error.notfound.text":  "The address may be mistyped or the page removed. Check the address or go to the home page.",
			"level.raise":          "You can raise the account level in the profile.",
			"suspended.back":       "The site you came from will be told that sign-in was refused.",
			"loggedout.again":      "To carry on, sign in again.",
			"recover.done.login":   "Sign in with the new password",
			"error.expired.title":  "Time is up",
			"code.resent":          "The previous code is no longer valid. A new code was sent to %s.",
			"code.resend.in":       "in",
			"account.ip":           "IP address",
			"profile.dates":        "Dates as DD.MM.YYYY, for example 31.01.1980.",
			"home.discovery":       "Provider configuration",
		},
	}
}
