package host

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/coder/websocket"
)

// Watching pages (issue 12; docs/relay.md, "Watching pages"). A session
// has one hosting page: the page whose iframes run its extensions, which
// the deliveries go to and which acknowledges them. A page opened at
// /?session=NAME for a session that a live page hosts (an embedded
// panel's, in its CRM; another tab's) watches it instead of taking it
// over: it gets every frame the hosting page gets but the deliveries (its
// live log rows carry their messages instead), and its events act on the
// session as the hosting page's do. It hosts no extension, so it sends no
// m or a frames. When the hosting page leaves, its watchers are told (a
// hosting frame) and may take over; when a watcher leaves, nothing
// happens to the others. The fan-out is the batch's (frames.go) and
// lockedFor's (relay.go).

// Limits of the watching pages.
const (
	// maxWatchers bounds the pages watching one session at once: far
	// more than a developer opens, and a bound on what one session
	// sends.
	maxWatchers = 16
	// maxSeats bounds the seats a session remembers (connected or not),
	// each a watching page's numbering, for a page that comes back; the
	// least lately used seat without a page goes first.
	maxSeats = 64
	// What waits for one watching page is bounded by itself, not counted
	// in the session's budget (docs/relay.md): at most half of that
	// budget (-session-memory; 16 MiB by default), as much as the
	// session lets its hosting page leave unacknowledged. A watcher past
	// it is dropped, as a hosting page past its queue is, and resumes
	// when it reconnects. One message bigger than that (a large view)
	// still goes, alone.
)

// watcher is a watching page's seat in a session: its numbering, kept for
// the page when its connection drops, and its connection while it has
// one.
type watcher struct {
	id string // w1, w2, ...: the welcome's watcher, which its next hello names
	c  *conn  // nil while the page is not connected
	in uint64 // the last m or e frame of the page processed
}

// hostingFrame tells a watching page whether a page hosts the session's
// extensions, and where: on (bool), and embed, the CRM's origin when the
// hosting page is an embedded panel.
type hostingFrame struct {
	T     string `json:"t"` // "hosting"
	On    bool   `json:"on"`
	Embed string `json:"embed,omitempty"`
}

// watchedBy counts the pages watching the session now. The caller holds
// s.mu.
func (s *session) watchedBy() int {
	n := 0
	for _, w := range s.watchers {
		if w.c != nil {
			n++
		}
	}
	return n
}

// watchedBesides reports whether a page other than to watches the
// session. The caller holds s.mu.
func (s *session) watchedBesides(to *watcher) bool {
	for _, w := range s.watchers {
		if w.c != nil && w != to {
			return true
		}
	}
	return false
}

// watcherConns are the connections of the watching pages. The caller
// holds s.mu.
func (s *session) watcherConns() []*conn {
	var cs []*conn
	for _, w := range s.watchers {
		if w.c != nil {
			cs = append(cs, w.c)
		}
	}
	return cs
}

// sendWatchers queues the batch's messages for the watching pages: to's
// own, and the same frames for the others; it returns their connections,
// to flush once the lock is let go. The caller holds s.mu.
func (s *session) sendWatchers(b *batch) []*conn {
	if len(s.watchers) == 0 {
		return nil
	}
	var cs []*conn
	all := b.watchBytes()
	for _, w := range s.watchers {
		switch {
		case w.c == nil:
			continue
		case w == b.to:
			w.c.send(b.ownBytes())
		default:
			w.c.send(all)
		}
		cs = append(cs, w.c)
	}
	return cs
}

// closePages queues what the batch holds for every page of the session,
// then the close of each connection with code and why; the batch starts
// empty again. The caller holds s.mu, in a step.
func (s *session) closePages(b *batch, code websocket.StatusCode, why string) {
	if s.conn != nil {
		s.conn.send(b.bytes())
		s.conn.closeAfter(code, why)
	}
	all := b.watchBytes()
	for _, w := range s.watchers {
		if w.c != nil {
			w.c.send(all)
			w.c.closeAfter(code, why)
		}
	}
	to, watched := b.to, b.watched
	b.reset()
	b.to, b.watched = to, watched
}

// seat finds the seat a watching page names (its last welcome's watcher),
// or gives it a new one, forgetting the least lately taken seat without a
// page past maxSeats. Seats are kept in the order they were last taken.
// The caller holds s.mu.
func (s *session) seat(id string) *watcher {
	for i, w := range s.watchers {
		if w.id == id {
			s.watchers = append(append(s.watchers[:i:i], s.watchers[i+1:]...), w)
			return w
		}
	}
	if len(s.watchers) >= maxSeats {
		for i, w := range s.watchers {
			if w.c == nil {
				s.watchers = append(s.watchers[:i:i], s.watchers[i+1:]...)
				break
			}
		}
	}
	s.seats++
	w := &watcher{id: "w" + strconv.FormatUint(s.seats, 10)}
	s.watchers = append(s.watchers, w)
	return w
}

// watcherFrame refuses what a watching page cannot send: it hosts no
// extension, so it relays no message of one (m). Its acknowledgements (a)
// are let through and do nothing: it has no deliveries to acknowledge.
func watcherFrame(f *inFrame) *protocolError {
	if f.T == "m" {
		return violation("a watching page hosts no extension: it relays no m frames (take the session over to host its extensions)")
	}
	return nil
}

// attachWatcher makes the page of c a watcher of ss, in the seat its hello
// names or a new one: it gets its welcome (watching), whether a page hosts
// the session, the view, the session's memory, the problems, the
// scenarios and the run playing, all for it alone; its history it asks
// for, as any page does. A session watched by maxWatchers pages refuses
// one more.
func (s *Server) attachWatcher(ss *session, h inFrame, c *conn, origin string) (*watcher, *protocolError) {
	// The problems of the page that runs the extensions: whether one is
	// same-site with the panel depends on the hosting page's origin, and
	// whether its CRM may frame them on the CRM's.
	ss.mu.Lock()
	if ss.origin != "" {
		origin = ss.origin
	}
	crm := ss.hostEmbed
	ss.mu.Unlock()
	problems := s.currentProblems(origin, crm) // before ss.mu: locks are taken s.mu first
	c.async, c.maxBytes = true, int(min(s.sessionMemory/2, math.MaxInt32))
	var w *watcher
	hosted, watchers := false, 0
	perr := errEnded
	s.locked(ss, func(b *batch) {
		if n := ss.watchedBy(); n >= maxWatchers {
			perr = &protocolError{websocket.StatusTryAgainLater, "the session " + ss.id + " has " + strconv.Itoa(n) + " watching pages, its most: close one"}
			return
		}
		perr = nil
		w = ss.seat(h.Watcher)
		if w.c != nil {
			w.c.drop() // the same page, on a connection that has not noticed it dropped
		}
		w.c = c
		b.to = w
		hosted, watchers = ss.conn != nil, ss.watchedBy()
		b.reply(welcomeFrame{T: "welcome", Session: ss.id, Resumed: true, Seq: ss.seq, In: w.in, Watching: true, Watcher: w.id})
		b.reply(hostingFrame{T: "hosting", On: ss.conn != nil, Embed: ss.hostEmbed})
		v, err := json.Marshal(ss.eng.View())
		if err != nil {
			panic("host: marshal the view: " + err.Error()) // guarded: a bug, logged with its stack
		}
		b.reply(viewFrame{T: "v", V: v})
		b.reply(ss.memoryFrame())
		b.reply(problemsFrame{T: "p", P: problems})
		b.reply(s.scenarioList())
		switch {
		case ss.play != nil:
			b.reply(ss.play.last)
		case ss.played != nil:
			b.reply(*ss.played)
		}
	})
	if perr != nil {
		return nil, perr
	}
	s.log.Info("page watching", "session", ss.id, "watcher", w.id, "hosted", hosted, "watchers", watchers)
	return w, nil
}
