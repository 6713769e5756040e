//go:build race

package main

// raceEnabled: the tests run with -race, so the emulator processes they start are built with
// it too (reusing the instrumented packages already compiled, and checking the servers).
const raceEnabled = true
