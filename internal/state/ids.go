package state

import (
	"crypto/rand"
	"encoding/hex"
	"hash/fnv"
	mathrand "math/rand/v2"
	"strings"
	"time"
)

// IDFunc returns a new 32-character alphanumeric identifier, the shape the
// schema requires of every interaction, queue, user and profile id.
type IDFunc func() string

// RandomIDs draws identifiers from crypto/rand: what a real contact center
// would produce, and what cpsim uses unless a run must be reproducible.
func RandomIDs() IDFunc {
	return func() string {
		var b [16]byte
		_, _ = rand.Read(b[:]) // crypto/rand.Read never fails.
		return strings.ToUpper(hex.EncodeToString(b[:]))
	}
}

// SeededIDs returns identifiers from a fixed pseudo-random sequence, so that
// two runs with the same seed, clock and inputs produce the same bytes.
// It is not safe for concurrent use; neither is the Session that owns it.
func SeededIDs(seed uint64) IDFunc {
	r := mathrand.New(mathrand.NewPCG(seed, 0x6370_7369_6d00)) // "cpsim"
	return func() string {
		var b [16]byte
		for i := 0; i < len(b); i += 8 {
			v := r.Uint64()
			for j := 0; j < 8; j++ {
				b[i+j] = byte(v >> (8 * j))
			}
		}
		return strings.ToUpper(hex.EncodeToString(b[:]))
	}
}

// nameID derives a stable id from a kind and a name, so that the queues and
// profiles of a config file keep their ids across runs without the author
// having to invent 32-character strings.
func nameID(kind, name string) string {
	h := fnv.New128a()
	h.Write([]byte(kind))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return strings.ToUpper(hex.EncodeToString(h.Sum(nil)))
}

// Clock tells the time. Tests and seeded runs pass a fixed or stepping clock.
type Clock func() time.Time

// SteppingClock starts at t0 and advances by step on every reading, so that
// timestamps in a reproducible run are distinct and predictable.
func SteppingClock(t0 time.Time, step time.Duration) Clock {
	t := t0
	return func() time.Time {
		now := t
		t = t.Add(step)
		return now
	}
}

// timestamp is the format of every time the engine writes into a message:
// RFC 3339 in UTC with milliseconds, as JavaScript's Date.toISOString does.
func timestamp(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
