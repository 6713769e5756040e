// Package web owns what the citizen sees: the embedded page templates, the renderer (with the
// pages' security headers), the immutable ru/en message catalog, the page language choice
// (Lang), Moscow-time formatting (DateTime, Clock), and one view type per page (LoginPage,
// ConsentPage, CodePage, MessagePage, AccountPage, …), each embedding Frame, which the base
// layout reads. Render puts the request id (package requestid) on a MessagePage answered with
// a status of 400 or more: «код ошибки: …».
//
// It mounts no routes. Every room that renders a page (the login flow, the citizen's account,
// test mode, the OIDC wrappers' error pages) holds a *Renderer built once by provider.New.
package web
