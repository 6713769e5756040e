package texts

// Tables returns every feature's message table (language → key → text). web.NewCatalog merges
// them and refuses a key defined twice. A feature with new texts adds its file here and its
// function to this list.
func Tables() []map[string]map[string]string {
	return []map[string]map[string]string{flowMessages(), accountMessages(), limitsMessages(), pagesMessages(),
		dprofileMessages(), loginMethodsMessages(), rolesMessages(), accountPagesMessages(), loginMessages(), homeMessages(), pickerMessages()}
}
