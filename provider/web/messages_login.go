package web

// loginMessages are the login side's texts added for issue 14: the consent page's missing
// data, the needs-confirmation notice at login, the demo login.
func loginMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"consent.missing":      "нет в вашей учётной записи",
			"consent.missing.how":  "Этих данных нет в вашей учётной записи, поэтому сервис их не получит. Добавить их можно в профиле, после этого войдите снова.",
			"consent.missing.link": "Перейти в профиль",
		},
		"en": {
			"consent.missing":      "not in your account",
			"consent.missing.how":  "Your account does not hold this data, so the service will not receive it. You can add it in your profile, then log in again.",
			"consent.missing.link": "Go to profile",
		},
	}
}
