package web

import (
	"fmt"

	"github.com/esia-emulator/esia-emulator/provider/web/texts"
)

// Catalog is the immutable ru/en message catalog: built once by NewCatalog from the features'
// tables, read concurrently, never changed.
type Catalog struct{ m map[string]map[string]string }

// NewCatalog merges the message tables; a key defined twice is an error.
func NewCatalog() (*Catalog, error) {
	c := &Catalog{m: map[string]map[string]string{"ru": {}, "en": {}}}
	for _, table := range texts.Tables() {
		for lang, msgs := range table {
			if c.m[lang] == nil {
				return nil, fmt.Errorf("web: messages for unknown language %q", lang)
			}
			for k, v := range msgs {
				if _, dup := c.m[lang][k]; dup {
					return nil, fmt.Errorf("web: message %s (%s) defined twice", k, lang)
				}
				c.m[lang][k] = v
			}
		}
	}
	return c, nil
}

// T returns the message for key in lang, falling back to Russian, then to the key itself (so a
// missing translation is visible rather than blank).
func (c *Catalog) T(lang, key string) string {
	if m, ok := c.m[lang][key]; ok {
		return m
	}
	if m, ok := c.m["ru"][key]; ok {
		return m
	}
	return key
}

// Has reports whether key has a text in lang.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.m[lang][key]
	return ok
}
