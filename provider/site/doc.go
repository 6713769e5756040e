// Package site is the emulator's own pages around the journeys: the home page (/) with the
// personas and clients to try and a «Попробовать вход» button per built-in demo client (the
// forms come from TryLogin: testmode's login debugger), the page after logout (/logged-out), the language link (/lang: remembers the choice in a cookie and goes back), the pages' stylesheet (/static/esia.<hash>.css, from web.Renderer), and the probes /healthz
// (the process is alive) and /readyz (the store is reachable). provider.New builds the
// Handler and mounts it.
package site
