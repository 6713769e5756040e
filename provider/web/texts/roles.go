package texts

// rolesMessages are the texts of the role choice after login (flow/rolechoice.go).
func rolesMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"role.title":    "Выбор роли",
			"role.heading":  "Войти как",
			"role.asks":     "получит данные того, от чьего имени вы входите.",
			"role.hint":     "Выберите, как вы входите: как частное лицо или как сотрудник организации",
			"role.private":  "Частное лицо",
			"role.chief":    "руководитель",
			"role.employee": "сотрудник",
			"role.admin":    "администратор профиля организации",
			"role.ogrn":     "ОГРН",
			"role.continue": "Продолжить",
			"role.missing":  "Выберите один из вариантов.",
			"role.for.kid":  "Законный представитель ребёнка",
			"role.for.poa":  "Представитель по доверенности",
		},
		"en": {
			"role.title":    "Choose a role",
			"role.heading":  "Log in as",
			"role.asks":     "will receive the data of whoever you log in as.",
			"role.hint":     "Choose how you log in: as a private person or as an employee of an organisation",
			"role.private":  "Private person",
			"role.chief":    "head",
			"role.employee": "employee",
			"role.admin":    "organisation profile administrator",
			"role.ogrn":     "OGRN",
			"role.continue": "Continue",
			"role.missing":  "Choose one of the options.",
			"role.for.kid":  "Legal representative of a child",
			"role.for.poa":  "Representative by power of attorney",
		},
	}
}
