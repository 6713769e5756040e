package texts

// loginMessages are the login side's texts added for issue 14: the consent page's missing
// data, the needs-confirmation notice at login, the demo login.
func loginMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"consent.missing":        "нет в вашей учётной записи",
			"consent.missing.how":    "Этих данных нет в вашей учётной записи, поэтому сервис их не получит. Добавить их можно в профиле, после этого войдите снова.",
			"consent.missing.link":   "Перейти в профиль",
			"notice.title":           "Требуется подтверждение данных",
			"notice.text":            "Данные вашей учётной записи нужно подтвердить до %s. Если не подтвердить их к этому сроку, учётная запись будет заблокирована.",
			"notice.text.nodeadline": "Данные вашей учётной записи нужно подтвердить.",
			"notice.reason":          "Причина",
			"notice.how":             "Проверить и подтвердить данные можно в профиле. Войти в сервис можно и сейчас.",
			"notice.continue":        "Продолжить вход",
		},
		"en": {
			"consent.missing":        "not in your account",
			"consent.missing.how":    "Your account does not hold this data, so the service will not receive it. You can add it in your profile, then log in again.",
			"consent.missing.link":   "Go to profile",
			"notice.title":           "Data confirmation required",
			"notice.text":            "Your account data must be confirmed by %s. If it is not confirmed by then, the account will be blocked.",
			"notice.text.nodeadline": "Your account data must be confirmed.",
			"notice.reason":          "Reason",
			"notice.how":             "You can check and confirm the data in your profile. You can still log in to the service now.",
			"notice.continue":        "Continue login",
		},
	}
}
