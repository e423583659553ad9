// Package statetest gives the tests of every package one protocol
// validator: the JSON schemas are compiled on first use, once per test
// binary, rather than by each test that starts an engine or a server.
//
// The tests of package state itself cannot import it (it imports state),
// and keep a copy of these few lines.
package statetest

import (
	"sync"
	"testing"

	"github.com/cpsim/cpsim/internal/state"
)

// shared is compiled once, on first use; a Validator is read-only, so the
// tests share it, in parallel too.
var shared = sync.OnceValues(state.NewValidator)

// Validator is the shared validator. It fails tb when the embedded schemas
// do not compile.
func Validator(tb testing.TB) *state.Validator {
	tb.Helper()
	v, err := shared()
	if err != nil {
		tb.Fatalf("compile the protocol schemas: %v", err)
	}
	return v
}
