package host

import (
	"bytes"
	"container/heap"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/cpsim/cpsim/internal/state"
)

// session is one browser page's panel: its own engine, so two tabs (or two
// CI jobs) never see each other's interactions. One lock owns everything in
// it; every step takes the lock, runs the engine, and turns the output into
// one websocket message for the page.
type session struct {
	srv *Server
	id  string

	mu    sync.Mutex
	batch batch // reused by every step, under mu
	eng   *state.Session

	seq     uint64           // the last delivery seq assigned
	inSeq   uint64           // the last numbered frame of the page processed
	outbox  []queued         // deliveries not yet acknowledged by the page
	logN    uint64           // the last log number assigned
	log     logBook          // the latest entries, for a page that reloads
	asked   map[ask]sent     // requests waiting for their response
	delayed delays           // deliveries held back by an injected delay
	lanes   map[string]*lane // per instance, what is held for it
	timer   *time.Timer      // fires when the first delayed delivery is due

	conn   *conn              // the page, or nil while none is connected
	origin string             // the origin the page was opened at
	left   uint64             // the page's departures: which one expiry is for
	expiry *time.Timer        // ends the session a grace after its page left
	insts  map[string]instRef // what an instance id stands for

	viewSent  []byte
	shown     bool // a view has gone to a page: its instances may have loaded
	viewTimer *time.Timer
	closed    bool
	later     []func() // calls to make once the lock is let go (a run's watch)
	delivered []func() // calls to make once the outbox is empty (whenDelivered)
	paced     []func() // calls to make once the page has caught up (Server.pace)
	play      *play    // the scenario playing, if any
	// played is the last frame of the scenario that played last, for a
	// page that comes back after it ended.
	played *scenarioFrame
	// changed is closed at the next log row, or when the session ends,
	// for the control API's readers (api_messages.go); nil while none
	// waits.
	changed chan struct{}
	plays   apiPlays // the control API's (api_plays.go)

	// Memory (memory.go): bytes of messages waiting, what was let go of,
	// and what the server counts of this session.
	outboxBytes int64
	heldBytes   int64
	stepSeq     uint64 // the last delivery of earlier steps: the outbox loses none of the current one
	dropped     drops
	memCounted  int64 // this session's part of Server.memUsed
	memSent     memoryFrame
	squeezed    bool                   // the server's budget has cut this session's
	abridged    struct{ m, pv []byte } // the last message abridged, for the next row of the same delivery
}

// instRef is what the log and a playing scenario need of an instance.
type instRef struct {
	key         string // its extension's key
	interaction string // its interaction's id; "" for a global extension
	inited      bool   // it has sent init
}

func refOf(in state.InstanceView) instRef { return instRef{key: in.Key, interaction: in.Interaction} }

type queued struct {
	seq uint64
	d   state.Delivery
}

// ask identifies a request by its instance and id, to pair it with its
// response in the inspector.
type ask struct{ inst, id string }

type sent struct {
	n  uint64
	at time.Time
}

// maxAsked bounds the requests remembered for pairing; an extension that
// sends requests the panel never answers (it cannot: their ids are
// unreadable) must not grow it for ever.
const maxAsked = 10000

// maxOutbox bounds the deliveries kept for a page that does not
// acknowledge them. A page that falls this far behind is disconnected
// (and resumes); one that is gone for good loses the oldest.
const maxOutbox = 50000

func (s *session) now() time.Time { return s.srv.clock() }

// close ends the session for good, as Shutdown does and as expire does
// once its page has been gone too long: its run stops, its timers too, and
// whatever still holds it (a timer firing, a run ending) does nothing
// more. The caller holds s.mu.
func (s *session) close() {
	s.closed = true
	s.wake()
	if s.play != nil {
		s.play.cancel()
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	if s.viewTimer != nil {
		s.viewTimer.Stop()
	}
	if s.expiry != nil {
		s.expiry.Stop()
	}
}

// receive relays a message an extension posted (an m frame): to the
// engine, or, when the page could not relay it or would not let it
// through, as a diagnosed row of its own.
func (s *session) receive(b *batch, f inFrame) {
	now := s.now()
	inst, m := f.I, f.M
	var o state.Output
	e := logEntry{dir: "in", inst: inst, key: s.keyOf(inst), at: now}
	switch {
	case f.Drop != "":
		// The page saw the message but would not relay it, as production
		// would not: the frame is no longer at the extension's origin, or
		// posted as it unloaded, with no source window.
		e.m = m
		o.Diagnostics = []state.Diagnostic{dropped(inst, m, "the panel dropped this message: "+f.Drop)}
	case f.Bad != "":
		e.raw = f.Bad
		o = s.eng.Unrelayable(inst, f.ID, f.Bad)
	case !s.eng.Loaded(inst) && s.known(inst):
		e.m = m
		o.Diagnostics = []state.Diagnostic{s.lateMessage(inst, m)}
	default:
		e.m = m
		o = s.eng.Receive(inst, m)
		if r := o.Received; r != nil && r.Type == "init" {
			ref := s.insts[inst]
			ref.inited = true
			s.insts[inst] = ref
		}
		s.observe(inst, m)
	}
	var rest []state.Diagnostic
	for _, d := range o.Diagnostics {
		if d.Direction == "in" {
			e.diag = append(e.diag, d)
		} else {
			rest = append(rest, d)
		}
	}
	o.Diagnostics = rest
	// The worst first: the row shows the first, and a refusal says more
	// than the schema's enum it comes with.
	slices.SortStableFunc(e.diag, func(a, b state.Diagnostic) int { return rank(a.Severity) - rank(b.Severity) })
	s.addLog(b, &e)
	s.report(&e)
	if r := o.Received; r != nil && r.ID != "" && r.Type != "response" {
		if len(s.asked) >= maxAsked {
			clear(s.asked)
		}
		s.asked[ask{inst, r.ID}] = sent{n: e.n, at: now}
	}
	s.absorb(b, o)
}

// rank orders severities, the worst first.
func rank(s state.Severity) int {
	switch s {
	case state.SeverityError:
		return 0
	case state.SeverityWarning:
		return 1
	}
	return 2
}

// known reports whether inst was ever an instance of this session.
func (s *session) known(inst string) bool {
	_, ok := s.insts[inst]
	return ok
}

// lateMessage diagnoses a message from an instance the panel has closed:
// it arrives after the panel's exit, and the panel drops it. It is a note,
// never a problem: an extension cannot know the exit is on its way, so a
// request it posts as the agent handles the interaction crosses the exit
// in flight, and whether it arrives before or after depends on the
// machine's speed; a run must not pass or fail on that. The note says
// what production does with it, so that an extension that relies on an
// answer after its exit is told.
func (s *session) lateMessage(inst string, m json.RawMessage) state.Diagnostic {
	d := dropped(inst, m, inst+" was closed by the panel's exit; the panel drops what it sends afterwards")
	if d.Severity == state.SeverityInfo {
		return d
	}
	d.Severity = state.SeverityInfo
	if !s.insts[inst].inited {
		d.Text += " (it was closed before it sent init, as it loaded)"
	} else {
		d.Text += " (it crossed the exit, or was sent after it: it gets no answer, as in production)"
	}
	return d
}

// dropped diagnoses a message the panel drops. An exit is what a
// well-behaved extension sends as its page unloads: losing it loses
// nothing, so it is only a note; anything else is a protocol problem.
func dropped(inst string, m json.RawMessage, why string) state.Diagnostic {
	id, typ := messageHead(m)
	d := state.Diagnostic{Instance: inst, Direction: "in", MessageID: id, Kind: "dropped", Severity: state.SeverityError, Text: why}
	if typ == "exit" {
		d.Severity = state.SeverityInfo
		d.Text += " (an exit posted as the extension unloads: nothing is lost)"
	}
	return d
}

// messageHead is a message's id as text (when it has a string or number
// one) and its type.
func messageHead(m json.RawMessage) (id, typ string) {
	var head struct {
		ID   any `json:"id"`
		Type any `json:"type"`
	}
	if json.Unmarshal(m, &head) != nil {
		return "", ""
	}
	switch x := head.ID.(type) {
	case string:
		id = x
	case float64:
		id = strconv.FormatFloat(x, 'f', -1, 64)
	}
	typ, _ = head.Type.(string)
	return id, typ
}

// maxReported bounds the message a report quotes, in bytes.
const maxReported = 300

// report tells a watching run (cpsim test) of the diagnostics on an
// extension's message, once the session's lock is let go. The caller
// holds ss.mu.
func (s *session) report(e *logEntry) {
	p := s.play
	if p == nil || p.settling || len(e.diag) == 0 {
		return
	}
	msg := string(e.m) // none when the page could not relay it: the diagnostic says why
	if len(msg) > maxReported {
		msg = strings.ToValidUTF8(msg[:maxReported], "") + "..."
	}
	if slices.ContainsFunc(e.diag, state.Diagnostic.IsProblem) {
		p.last.Problems++
	}
	if p.watch.Message == nil {
		return
	}
	p.reports.mu.Lock()
	for _, d := range e.diag {
		p.reports.q = append(p.reports.q, MessageReport{At: e.at, Instance: e.inst, Key: e.key, Message: msg, Diagnostic: d})
	}
	p.reports.mu.Unlock()
	s.later = append(s.later, p.flushReports)
}

// apply performs an event from the page (or a scenario).
func (s *session) apply(b *batch, ev state.Event) (state.Output, error) {
	o, err := s.eng.Apply(ev)
	s.absorb(b, o)
	return o, err
}

// absorb turns an engine step's output into frames: deliveries now or
// later, diagnostics beside their messages, and a fresh view soon.
func (s *session) absorb(b *batch, o state.Output) {
	for _, c := range o.Changes { // first: this step's rows may be theirs
		ref := refOf(c.Instance)
		ref.inited = s.insts[c.Instance.ID].inited
		s.insts[c.Instance.ID] = ref
		if c.Kind == state.Started {
			s.srv.recheck(c.Instance.URL)
		}
	}
	diags := o.Diagnostics
	now := s.now()
	held := false
	for _, d := range o.Deliveries {
		if s.holdIfDue(now, d) {
			held = true
			continue
		}
		s.emit(b, d, &diags)
	}
	if held {
		s.armTimer()
	}
	// Diagnostics that belong to no delivery (a message cached, not sent)
	// get a row of their own.
	for _, d := range diags {
		e := logEntry{dir: d.Direction, inst: d.Instance, key: s.keyOf(d.Instance), at: s.now(), diag: []state.Diagnostic{d}}
		s.addLog(b, &e)
		s.report(&e) // such as the messages an instance's cache dropped before its init
	}
	s.viewChanged()
}

// emit sends one delivery to the page and logs it.
func (s *session) emit(b *batch, d state.Delivery, diags *[]state.Diagnostic) {
	s.seq++
	s.outbox = append(s.outbox, queued{seq: s.seq, d: d})
	s.outboxBytes += int64(len(d.Data) + queuedOverhead)
	if len(s.outbox) > maxOutbox {
		// Bytes bound the outbox (keepBudget); this bounds a flood of
		// small messages to a page that takes none.
		s.loseOldest(b, func() bool { return len(s.outbox) > maxOutbox }, "the session keeps at most "+strconv.Itoa(maxOutbox)+" messages waiting")
	}
	b.deliver(s.seq, d.To, d.Data)

	now := s.now()
	e := logEntry{dir: "out", inst: d.To, key: s.keyOf(d.To), m: d.Data, seq: s.seq, at: now}
	keep := (*diags)[:0]
	for _, g := range *diags {
		if g.MessageID == d.ID && (g.Instance == "" || g.Instance == d.To) && d.ID != "" {
			e.diag = append(e.diag, g)
		} else {
			keep = append(keep, g)
		}
	}
	*diags = keep
	if d.Type == "response" {
		k := ask{d.To, d.ID}
		if q, ok := s.asked[k]; ok {
			e.re, e.ms = q.n, float64(now.Sub(q.at).Microseconds())/1000
			delete(s.asked, k)
		}
	}
	s.addLog(b, &e)
}

// addLog numbers a row, keeps it, and puts it in the batch. A big
// message's row carries an abridged copy (abridge.go), made once for the
// rows of one delivery to several instances.
func (s *session) addLog(b *batch, e *logEntry) {
	s.logN++
	e.n = s.logN
	if len(e.m) > abridgeOver {
		if a := &s.abridged; len(a.m) == len(e.m) && &a.m[0] == &e.m[0] {
			e.pv = a.pv
		} else if pv, ok := abridge(e.m); ok {
			e.pv = pv
			a.m, a.pv = e.m, pv
		}
		if e.pv != nil {
			e.cut = len(e.m)
		}
	}
	s.log.add(*e)
	b.log(e, true)
	s.wake()
}

// keyOf names the extension of an instance.
func (s *session) keyOf(inst string) string {
	if r, ok := s.insts[inst]; ok {
		return r.key
	}
	return inst
}

// acked drops what the page has posted.
func (s *session) acked(seq uint64) {
	i := 0
	for i < len(s.outbox) && s.outbox[i].seq <= seq {
		i++
	}
	for _, q := range s.outbox[:i] {
		s.outboxBytes -= int64(len(q.d.Data) + queuedOverhead)
	}
	clear(s.outbox[:i]) // their messages can go
	s.outbox = s.outbox[i:]
	s.caughtUp()
	if len(s.outbox) == 0 {
		s.outbox = nil // and the array, which a burst may have grown
		for _, f := range s.delivered {
			f()
		}
		s.delivered = nil
	}
}

// caughtUp lets the scenario steps held by Server.pace go, once the page
// has taken all but a sixteenth of the budget, or has left. The caller
// holds s.mu.
func (s *session) caughtUp() {
	if len(s.paced) == 0 || (s.conn != nil && s.outboxBytes > s.srv.sessionMemory/16) {
		return
	}
	for _, f := range s.paced {
		f()
	}
	s.paced = nil
}

// whenDelivered calls f once the page has acknowledged every delivery
// sent so far: at once when it has. f runs under the session's lock and
// must not block. The caller holds s.mu.
func (s *session) whenDelivered(f func()) {
	if len(s.outbox) == 0 {
		f()
		return
	}
	s.delivered = append(s.delivered, f)
}

// resend puts every unacknowledged delivery after seq in the batch again.
func (s *session) resend(b *batch, seq uint64) {
	s.acked(seq)
	for _, q := range s.outbox {
		b.deliver(q.seq, q.d.To, q.d.Data)
	}
}

// reload hands what a reloaded page never posted back to the engine.
func (s *session) reload(b *batch, seq uint64) {
	s.acked(seq)
	lost := make([]state.Delivery, len(s.outbox))
	for i, q := range s.outbox {
		lost[i] = q.d
	}
	clear(s.outbox)
	s.outbox, s.outboxBytes = nil, 0
	clear(s.asked)
	s.absorb(b, s.eng.Reload(lost))
}

// logPage is about the most a history reply carries in one websocket
// message: the page asks for the next once it has taken this one in (an
// lm frame), so a big log never crosses as one message, and the server
// never runs more than a page ahead of it.
const logPage = 256 << 10

// logFrom puts the log entries from n on in the batch, up to about
// logPage bytes, and an lm frame when more are left. Rows the session no
// longer holds are skipped: the b frame counts them.
func (s *session) logFrom(b *batch, n uint64) {
	start := len(b.b)
	for n = max(n, s.log.first()); ; n++ {
		e := s.log.at(n)
		if e == nil {
			return
		}
		if len(b.b)-start >= logPage {
			b.frame(moreFrame{T: "lm", Next: n})
			return
		}
		b.log(e, false)
	}
}

// full puts the whole message of row n in the batch, or why it cannot.
func (s *session) full(b *batch, n uint64) {
	e := s.log.at(n)
	switch {
	case e == nil:
		b.frame(fullFrame{T: "full", N: n, Gone: s.goneReason("the row")})
	case e.m == nil:
		b.frame(fullFrame{T: "full", N: n, Gone: s.goneReason("its full text")})
	default:
		b.frame(fullFrame{T: "full", N: n, M: e.m})
	}
}

// goneReason says why the session no longer holds what.
func (s *session) goneReason(what string) string {
	return what + " is no longer held: the session drops its oldest messages to stay within its " +
		humanize.IBytes(uint64(s.srv.sessionMemory)) + " memory budget (-session-memory)"
}

// viewChanged schedules a view for the page: at most one every 50 ms, and
// only when it differs from the last one sent.
func (s *session) viewChanged() {
	if s.viewTimer != nil || s.conn == nil {
		return
	}
	s.viewTimer = s.srv.afterFunc(50*time.Millisecond, func() {
		s.srv.locked(s, func(b *batch) {
			s.viewTimer = nil
			s.view(b)
			s.memory(b)
		})
	})
}

// view puts the view in the batch if it changed since the last one.
func (s *session) view(b *batch) {
	v, err := json.Marshal(s.eng.View())
	if err != nil {
		s.srv.log.Error("marshal the view", "session", s.id, "err", err)
		return
	}
	if bytes.Equal(v, s.viewSent) {
		return
	}
	s.viewSent = v
	s.shown = true
	b.frame(viewFrame{T: "v", V: v})
}

// memory puts a b frame in the batch when what the page shows of the
// session's memory changed since the last one sent.
func (s *session) memory(b *batch) {
	f := s.memoryFrame()
	if f == s.memSent {
		return
	}
	s.memSent = f
	b.frame(f)
}

// lane is what is held back for one instance, to keep its order.
type lane struct {
	last   time.Time // the latest due time of a delivery held for it
	fence  time.Time // the latest due time of a fence held for it
	held   int       // deliveries held for it
	fences int       // fences among them
}

// holdIfDue holds a delivery back when it must wait, and reports whether
// it did: for its injected delay, or behind what is held for its instance
// that it must not overtake (state.Delivery.Fence). Deliveries due at the
// same time leave in the order they were produced.
func (s *session) holdIfDue(now time.Time, d state.Delivery) bool {
	due := now.Add(max(d.Delay, 0))
	ln := s.lanes[d.To]
	if ln != nil {
		if ln.fences > 0 && due.Before(ln.fence) {
			due = ln.fence
		}
		if d.Fence && due.Before(ln.last) {
			due = ln.last
		}
	}
	wait := due.After(now) || (ln != nil && (ln.fences > 0 || d.Fence))
	if !wait {
		return false
	}
	if ln == nil {
		if s.lanes == nil {
			s.lanes = map[string]*lane{}
		}
		ln = &lane{}
		s.lanes[d.To] = ln
	}
	ln.held++
	if due.After(ln.last) {
		ln.last = due
	}
	if d.Fence {
		ln.fences++
		ln.fence = due
	}
	s.delayed.seq++
	heap.Push(&s.delayed, delayed{due: due, order: s.delayed.seq, d: d})
	s.heldBytes += int64(len(d.Data) + queuedOverhead)
	return true
}

func (s *session) armTimer() {
	if len(s.delayed.items) == 0 || s.closed {
		return
	}
	wait := s.delayed.items[0].due.Sub(s.now())
	if s.timer == nil {
		s.timer = s.srv.afterFunc(wait, func() { s.srv.locked(s, s.release) })
	} else {
		s.timer.Reset(wait)
	}
}

// release sends the delayed deliveries that are due.
func (s *session) release(b *batch) {
	now := s.now()
	s.releaseWhile(b, func() bool { return !s.delayed.items[0].due.After(now) })
	s.armTimer()
}

// releaseEarly sends held deliveries before they are due, the soonest
// first (so that their order holds), until they are within limit bytes
// (memory.go).
func (s *session) releaseEarly(b *batch, limit int64) {
	s.releaseWhile(b, func() bool { return s.heldBytes > limit })
	s.armTimer()
}

// releaseWhile sends the held deliveries in their order while more says
// so.
func (s *session) releaseWhile(b *batch, more func() bool) {
	var none []state.Diagnostic
	for len(s.delayed.items) > 0 && more() {
		d := heap.Pop(&s.delayed).(delayed)
		s.heldBytes -= int64(len(d.d.Data) + queuedOverhead)
		if ln := s.lanes[d.d.To]; ln != nil {
			ln.held--
			if d.d.Fence {
				ln.fences--
			}
			if ln.held == 0 {
				delete(s.lanes, d.d.To)
			}
		}
		d.d.Delay = 0
		s.emit(b, d.d, &none)
	}
}

type delayed struct {
	due   time.Time
	order uint64
	d     state.Delivery
}

// delays is a min-heap of delayed deliveries by due time, then order.
type delays struct {
	items []delayed
	seq   uint64
}

func (h delays) Len() int { return len(h.items) }
func (h delays) Less(i, j int) bool {
	if !h.items[i].due.Equal(h.items[j].due) {
		return h.items[i].due.Before(h.items[j].due)
	}
	return h.items[i].order < h.items[j].order
}
func (h delays) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *delays) Push(x any)   { h.items = append(h.items, x.(delayed)) }
func (h *delays) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}
