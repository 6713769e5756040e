package provider

import "net/http"

// mountGenerate mounts the persona generator (test mode). Filled in by the persona
// generator feature.
func (p *Provider) mountGenerate(*http.ServeMux) {}
