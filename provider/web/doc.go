// Package web owns what the citizen sees: the embedded page templates, the renderer (with the
// pages' security headers; a page with a script gets it allowed by its hash), the immutable
// ru/en message catalog (its texts in package texts), the page language choice (Lang: Russian whatever the browser says;
// English only by ui_locales or the language link, SwitchLang, which remembers the choice in a
// cookie), Moscow-time formatting (DateTime, Clock), dates as citizens type them (DateIn,
// DateOut: ДД.ММ.ГГГГ), and one view type per page (LoginPage, ConsentPage, CodePage,
// MessagePage, AccountPage, …), each embedding Frame, which the base layout reads.
// Render puts the request id (package requestid) on a MessagePage answered with a status of
// 400 or more: «код ошибки: …».
//
// MessagePage is every error and notice page — the 404 (NotFound), a timed-out login
// (Expired), the flow's and the ESIA dialect's refusals — one template with next actions
// (Render adds «Перейти в личный кабинет» to a page that has none) and the developer detail
// folded under «Подробности».
//
// The pages' look is one embedded stylesheet (static/esia.css) served by ServeStyle at
// StylePath, an address carrying its content's hash so browsers keep it for a year; pages have
// no inline styles, so the policy allows styles from the emulator only.
//
// It mounts no routes (provider/site mounts SwitchLang at /lang and ServeStyle at StylePath). Every room that renders a
// page (the login flow, the citizen's account, test mode, the OIDC wrappers' error pages, the
// ESIA dialect) holds a *Renderer built once by provider.New.
package web
