//go:build race

package gost

const raceEnabled = true
