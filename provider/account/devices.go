package account

import (
	"strings"

	"github.com/medama-io/go-useragent"
)

// device is a User-Agent in words: "Chrome 126, Windows" (github.com/medama-io/go-useragent,
// MIT); unknown for what the parser does not know, never the raw string.
func (h *Handler) device(ua, unknown string) string {
	h.agentsOnce.Do(func() { h.agents = useragent.NewParser() })
	a := h.agents.Parse(ua)
	browser, os := string(a.Browser()), string(a.OS())
	if browser == "" {
		return unknown
	}
	if v := a.BrowserVersionMajor(); v != "" {
		browser += " " + v
	}
	return strings.Join(append([]string{browser}, nonEmpty(os)...), ", ")
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}
