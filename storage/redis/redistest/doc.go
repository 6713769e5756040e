// Package redistest starts a real redis-server for tests: on a free loopback port, in a
// temporary directory, stopped when the test ends. storage/redis and the cmd/esia-emulator
// process tests (replicas, durability, outage) use it.
//
// When redis-server is not on PATH the test is skipped, or fails when ESIA_REQUIRE_REDIS=1
// (make test sets it, after installing the server).
package redistest
