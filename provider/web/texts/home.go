package texts

// homeMessages are the home page's «Попробовать вход» texts.
func homeMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"home.try.heading": "Попробовать вход",
			"home.try.intro":   "Войдите через демо-клиента любым тестовым пользователем: эмулятор сам примет ответ и покажет код, токены и данные, которые получит ваш кабинет.",
			"home.try":         "Попробовать вход",
		},
		"en": {
			"home.try.heading": "Try a login",
			"home.try.intro":   "Log in through a demo client as any test citizen: the emulator takes the answer itself and shows the code, the tokens and the data your cabinet would receive.",
			"home.try":         "Try a login",
		},
	}
}
