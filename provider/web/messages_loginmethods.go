package web

// loginMethodsMessages are the texts of «Войти другим способом» and the e-signature login.
func loginMethodsMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"login.other":      "Войти другим способом",
			"methods.title":    "Войти другим способом",
			"methods.ds":       "Электронная подпись",
			"methods.ds.off":   "недоступна: в эмуляторе не настроен тестовый удостоверяющий центр (proofing.esignature_ca)",
			"methods.password": "Войти по логину и паролю",
			"methods.back":     "Другие способы входа",
			"ds.title":         "Вход с помощью электронной подписи",
			"ds.sign":          "Подпишите этот текст квалифицированной электронной подписью (откреплённая подпись CMS) и загрузите файл подписи:",
			"ds.recipe":        "Подпись можно сделать так (сертификат выдан тестовым удостоверяющим центром эмулятора):",
			"ds.file":          "Файл подписи (.p7s, DER или PEM)",
			"ds.text":          "или вставьте подпись (base64 или PEM)",
			"ds.submit":        "Войти",
			"ds.empty":         "Загрузите файл подписи или вставьте её текст.",
			"ds.bad":           "Файл не похож на подпись CMS или подпись не соответствует тексту. Подпишите текст на этой странице ещё раз и загрузите новый файл.",
			"ds.untrusted":     "Сертификат подписи не выдан удостоверяющим центром, которому доверяет эмулятор. Используйте сертификат тестового УЦ эмулятора или войдите по логину и паролю.",
			"ds.expired":       "Срок действия сертификата подписи истёк или ещё не начался. Используйте действующий сертификат или войдите по логину и паролю.",
			"ds.nosnils":       "В сертификате нет СНИЛС владельца, поэтому учётную запись найти нельзя. Используйте сертификат с СНИЛС или войдите по логину и паролю.",
			"ds.unknown":       "Учётная запись со СНИЛС из сертификата не найдена. Зарегистрируйтесь или войдите по логину и паролю.",
			"ds.toolarge":      "Файл слишком большой: файл подписи занимает несколько килобайт.",
		},
		"en": {
			"login.other":      "Sign in another way",
			"methods.title":    "Sign in another way",
			"methods.ds":       "Electronic signature",
			"methods.ds.off":   "unavailable: the emulator has no test certification authority configured (proofing.esignature_ca)",
			"methods.password": "Sign in with login and password",
			"methods.back":     "Other ways to sign in",
			"ds.title":         "Sign in with an electronic signature",
			"ds.sign":          "Sign this text with a qualified electronic signature (detached CMS) and upload the signature file:",
			"ds.recipe":        "One way to make it (the certificate issued by the emulator's test CA):",
			"ds.file":          "Signature file (.p7s, DER or PEM)",
			"ds.text":          "or paste the signature (base64 or PEM)",
			"ds.submit":        "Sign in",
			"ds.empty":         "Upload the signature file or paste its text.",
			"ds.bad":           "This is not a CMS signature, or it does not match the text. Sign the text on this page again and upload the new file.",
			"ds.untrusted":     "The signing certificate was not issued by a CA the emulator trusts. Use a certificate of the emulator's test CA or sign in with login and password.",
			"ds.expired":       "The signing certificate has expired or is not yet valid. Use a valid certificate or sign in with login and password.",
			"ds.nosnils":       "The certificate carries no SNILS, so no account can be found. Use a certificate with SNILS or sign in with login and password.",
			"ds.unknown":       "No account has the SNILS of the certificate. Register or sign in with login and password.",
			"ds.toolarge":      "The file is too large: a signature file is a few kilobytes.",
		},
	}
}
