// Package config owns the emulator's configuration file: its YAML model, the defaults, the
// built-in demo clients and personas, and validation. cmd/esia-emulator loads a file with Load
// (or takes Default) and hands the result to provider.New; tests build a Config in code.
//
// Clients and personas in a file replace the built-in ones with the same id/key and extend the
// list otherwise; builtin_clients: false or builtin_personas: false drops the built-ins.
package config
