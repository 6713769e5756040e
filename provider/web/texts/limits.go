package texts

// limitsMessages are the refusals of requests that would cost the stand too much: bodies too
// large or in a form no page sends, and too many password checks at once.
func limitsMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"error.toolarge":   "Запрос слишком большой. Обновите страницу и попробуйте ещё раз.",
			"error.multipart":  "Такой формат запроса не поддерживается: формы портала не отправляют файлы.",
			"error.unreadable": "Не удалось прочитать запрос: соединение прервалось или было слишком медленным. Попробуйте ещё раз.",
			"error.busy.title": "Сервис перегружен",
			"error.busy":       "Сейчас слишком много входов одновременно. Подождите минуту и попробуйте ещё раз — введённые данные не сохранены.",
			"code.toomany":     "Слишком много кодов отправлено на новые номера и адреса. Повторите попытку позже.",
		},
		"en": {
			"error.toolarge":   "The request is too large. Reload the page and try again.",
			"error.multipart":  "This request format is not supported: the portal's forms do not upload files.",
			"error.unreadable": "The request could not be read: the connection broke or was too slow. Try again.",
			"error.busy.title": "The service is overloaded",
			"error.busy":       "Too many sign-ins are running at once. Wait a minute and try again — what you entered was not saved.",
			"code.toomany":     "Too many codes have been sent to new numbers and addresses. Try again later.",
		},
	}
}
