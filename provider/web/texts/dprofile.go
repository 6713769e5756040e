package texts

// dprofileMessages are the texts of the Digital Profile consent step and the account's
// agreements page.
func dprofileMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"dp.title":          "Согласие на предоставление сведений из цифрового профиля",
			"dp.asks":           "запрашивает ваше согласие на получение сведений из цифрового профиля.",
			"dp.type":           "Согласие",
			"dp.purpose":        "Цель",
			"dp.actions":        "Действия с данными",
			"dp.data":           "Сведения",
			"dp.until":          "Срок действия согласия",
			"dp.hint":           "Согласие можно отозвать в любой момент в личном кабинете в разделе «Согласия».",
			"dp.allow":          "Предоставить",
			"dp.deny":           "Отказать",
			"dp.agreements":     "Согласия",
			"dp.none":           "Вы ещё не давали согласий на предоставление сведений из цифрового профиля.",
			"dp.organisation":   "Организация",
			"dp.granted":        "Дата выдачи",
			"dp.status":         "Статус",
			"dp.status.active":  "Действует",
			"dp.status.expired": "Срок действия истёк",
			"dp.status.revoked": "Отозвано",
			"dp.withdraw":       "Отозвать согласие",
			"dp.withdrawn":      "Согласие отозвано. Организация больше не сможет получать ваши сведения по нему.",
			"dp.back":           "Вернуться в личный кабинет",
		},
		"en": {
			"dp.title":          "Consent to share Digital Profile data",
			"dp.asks":           "asks for your consent to receive data from your Digital Profile.",
			"dp.type":           "Consent",
			"dp.purpose":        "Purpose",
			"dp.actions":        "What may be done with the data",
			"dp.data":           "Data",
			"dp.until":          "Valid until",
			"dp.hint":           "You can withdraw the consent at any time in your account, under «Consents».",
			"dp.allow":          "Give consent",
			"dp.deny":           "Refuse",
			"dp.agreements":     "Consents",
			"dp.none":           "You have not given any Digital Profile consents yet.",
			"dp.organisation":   "Organisation",
			"dp.granted":        "Given on",
			"dp.status":         "Status",
			"dp.status.active":  "Active",
			"dp.status.expired": "Expired",
			"dp.status.revoked": "Withdrawn",
			"dp.withdraw":       "Withdraw consent",
			"dp.withdrawn":      "The consent was withdrawn. The organisation can no longer receive your data under it.",
			"dp.back":           "Back to my account",
		},
	}
}
