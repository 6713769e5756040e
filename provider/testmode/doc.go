// Package testmode is what makes the emulator testable by moving time and state: the test
// clock (TravelClock: set, advance, freeze; every rule of the emulator follows it), reset to
// the configuration's state, faults per endpoint (and per emulated registry) and a
// maintenance switch (WithFaults, in front of every route), token minting without a login,
// the seeded persona generator, the persona picker on the login page (Pick), and the /debug
// login debugger, which logs in through any client and shows the code, tokens and claims.
//
// Routes (Mount): /admin/api/clock, /admin/api/reset, /admin/api/faults,
// /admin/api/maintenance, /admin/api/tokens, /admin/api/personas/generate (behind the admin
// token; 404 outside test mode), and GET /debug (test mode only), POST /debug/start and GET
// /debug/callback (every client in test mode; outside it only the built-in demo clients, started
// from the home page's «Попробовать вход», TryButtons). The clock, faults and maintenance switch belong to this process: with replicas,
// set them on each. provider.New builds the Handler in both modes.
package testmode
