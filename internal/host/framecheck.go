package host

import (
	"fmt"
	"strings"

	"github.com/coder/websocket"
)

// Limits on the fields of the page's frames (docs/relay.md, "Limits").
// A frame past one of them cannot come from cpsim's page, which keeps to
// them by construction, so it is refused: the connection closes with
// 1008 (policy violation) and a reason, and the server logs it. Nothing
// an extension controls is refused so, since the page would send it
// again after every reconnect: texts that may quote an extension (bad,
// drop) are cut instead, and messages and their ids are the extension's.
const (
	// maxQ is the largest frame number a page counts to: its numbers are
	// JavaScript numbers, exact up to 2^53-1 (Number.MAX_SAFE_INTEGER).
	maxQ = 1<<53 - 1
	// maxGap bounds how far past the last number the session processed
	// the first numbered frame of a connection may be. A page kept its
	// latest 100,000 frames while disconnected (MAX_UNACKED in
	// web/static/js/constants.js) and dropped the older ones, so its
	// first frame after a reconnect may skip the numbers it dropped; no
	// page numbers 16 million frames in the seconds it takes to
	// reconnect.
	maxGap = 1 << 24
	// maxID is the longest instance or session id a page may name, in
	// bytes: cpsim's own are a few dozen.
	maxID = 256
	// maxReason is the longest bad or drop text kept, in bytes; a longer
	// one is cut. They quote what an extension controls (the origin its
	// frame navigated to, a property name in a serialization error).
	maxReason = 1024
)

// reading is what one connection has read of the page's numbered frames.
// Within a connection the page numbers its m and e frames one by one:
// first those it sends again after a reconnect, then new ones. Only the
// first may skip numbers (those the page dropped).
type reading struct {
	last uint64 // the q of the last numbered frame read; 0 before the first
}

// check validates one frame's fields against the session it is for,
// whose page has had its numbered frames up to in processed, and cuts
// what may be cut (bad, drop). The caller holds ss.mu.
func (rd *reading) check(ss *session, in uint64, f *inFrame) *protocolError {
	numbered := f.T == "m" || f.T == "e"
	switch {
	case !numbered && f.Q != 0:
		return violation("a %s frame has q %d: only m and e frames are numbered", shorten(f.T), f.Q)
	case numbered && f.Q == 0:
		return violation("an %s frame needs its number q, from 1", f.T)
	case f.Q > maxQ:
		return violation("q %d is past %d, the largest number a page counts to", f.Q, uint64(maxQ))
	case numbered && rd.last != 0 && f.Q != rd.last+1:
		return violation("q %d follows q %d: a page numbers its frames one by one", f.Q, rd.last)
	case numbered && rd.last == 0 && f.Q > in && f.Q-in > maxGap:
		return violation("q %d skips more than %d numbers past %d, the last processed", f.Q, maxGap, in)
	case f.T == "a" && f.Seq > ss.seq:
		return violation("a acknowledges delivery %d, but the last sent is %d", f.Seq, ss.seq)
	case len(f.I) > maxID:
		return violation("i is %d bytes: an instance id has at most %d", len(f.I), maxID)
	}
	if numbered {
		rd.last = f.Q
	}
	f.Bad = cut(f.Bad, maxReason)
	f.Drop = cut(f.Drop, maxReason)
	return nil
}

// checkHello validates what a hello can be checked for before it has a
// session; attach checks its seq against the session's.
func checkHello(h inFrame) *protocolError {
	if len(h.Watcher) > maxID {
		return violation("the hello's watcher is %d bytes: a seat's name has at most %d", len(h.Watcher), maxID)
	}
	if len(h.Session) > maxID {
		return violation("the hello's session is %d bytes: a session id has at most %d", len(h.Session), maxID)
	}
	if h.Q != 0 {
		return violation("a hello frame has q %d: only m and e frames are numbered", h.Q)
	}
	if h.Named {
		if err := CheckSessionName(h.Session); err != nil {
			return violation("%v", err)
		}
	}
	return nil
}

func violation(format string, args ...any) *protocolError {
	return &protocolError{websocket.StatusPolicyViolation, shorten(fmt.Sprintf(format, args...))}
}

// cut keeps the first max bytes of s, whole characters only, and says
// that it cut.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return strings.ToValidUTF8(s[:max], "") + "… (cut at " + fmt.Sprint(max) + " bytes)"
}
