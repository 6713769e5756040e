package texts

// accountPagesMessages are the account pages' texts added with issue 14: the authenticator
// enrolment that keeps its key, the recovery codes' copy and download, field errors, the
// profile's failed checks, readable devices in the history.
func accountPagesMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"form.errors":                 "Проверьте данные:",
			"security.enroll.again":       "Код не подошёл. Ключ и QR-код те же — запись в приложении менять не нужно, введите новый код из него.",
			"security.enroll.cancel":      "Отменить подключение",
			"security.recovery.copy":      "Скопировать коды",
			"security.recovery.copied":    "Коды скопированы",
			"security.recovery.download":  "Скачать файл с кодами",
			"security.recovery.gone":      "Файл с кодами уже скачан или время его загрузки истекло. Если коды не сохранены, создайте новые в разделе «Безопасность».",
			"security.recovery.new":       "Создать новые коды восстановления",
			"security.recovery.new.hint":  "Прежние коды перестанут действовать. Введите пароль и текущий код.",
			"security.recovery.file":      "Коды восстановления для входа на Госуслуги (эмулятор). Каждый код можно использовать один раз, если нет доступа к приложению-аутентификатору.",
			"profile.failed.title":        "Проверка данных не пройдена",
			"profile.failed.hint":         "Исправьте данные и сохраните их — они будут проверены снова.",
			"profile.failed.fix":          "Исправить",
			"profile.passport.issued":     "выдан",
			"profile.passport.unit.short": "код подразделения",
			"history.service.account":     "Личный кабинет",
			"history.service.register":    "Регистрация на Госуслугах",
			"ua.unknown":                  "Неизвестный браузер",
			"security.recovery.title":     "Коды восстановления",
		},
		"en": {
			"form.errors":                 "Please check:",
			"security.enroll.again":       "Wrong code. The key and the QR code are the same — keep the entry in the app and enter its new code.",
			"security.enroll.cancel":      "Cancel",
			"security.recovery.copy":      "Copy the codes",
			"security.recovery.copied":    "Codes copied",
			"security.recovery.download":  "Download the codes as a file",
			"security.recovery.gone":      "The file with the codes was already downloaded or has expired. If you did not keep the codes, make new ones under “Security”.",
			"security.recovery.new":       "Make new recovery codes",
			"security.recovery.new.hint":  "The old codes stop working. Enter your password and a current code.",
			"security.recovery.file":      "Recovery codes for signing in to Gosuslugi (emulator). Each works once when you have no access to the authenticator app.",
			"profile.failed.title":        "The data did not pass the check",
			"profile.failed.hint":         "Correct the data and save it — it will be checked again.",
			"profile.failed.fix":          "Correct",
			"profile.passport.issued":     "issued",
			"profile.passport.unit.short": "department code",
			"history.service.account":     "Personal account",
			"history.service.register":    "Registration",
			"ua.unknown":                  "Unknown browser",
			"security.recovery.title":     "Recovery codes",
		},
	}
}
