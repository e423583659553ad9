package host

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/dustin/go-humanize"

	"github.com/cpsim/cpsim/internal/state"
)

// Memory budgets (issue 11, README "Memory"). A session holds four kinds
// of messages: its log (for the inspector and a page that reloads), the
// engine's caches (for extensions that have not sent init), its outbox
// (deliveries the page has not acknowledged) and its held deliveries (an
// injected delay). Each is counted in bytes, and a session keeps all of
// them within its budget; the server keeps the sum of its sessions within
// its own. A message is counted whole wherever it is held, although the
// log, the caches and the outbox share one encoded copy: what a session
// really uses is at most what it counts.
//
// What exceeds a budget goes oldest first, and never silently:
//   - the log first: the full text of big messages (their abridged rows
//     stay, and the inspector says the full text is gone), then whole
//     rows; the b frame counts them, and the inspector shows the count;
//   - an extension's cache before init, beyond a quarter of the budget:
//     the oldest, as the cache's count limit does, said in the init
//     response's note (internal/state);
//   - deliveries held for an injected delay, beyond an eighth: they leave
//     early, with a note;
//   - deliveries the page has not taken, beyond a quarter of the budget
//     while no page is connected, or beyond half of it while one is (it is
//     too far behind: it is disconnected and resumes): the oldest are
//     dropped, with a row for each instance that lost some, reported to
//     cpsim test.
//
// What waits for the page takes at most seven eighths of the budget, so
// the log always keeps an eighth (4 MiB of the default 32: thousands of
// rows) however the deliveries pile up.

// Defaults of Config's budgets (README, docs/relay.md).
const (
	// DefaultSessionMemory holds a long day's log of an extension under
	// development, and 10,000-message chats: their latest state messages
	// whole and thousands of abridged rows.
	DefaultSessionMemory = 32 << 20
	// DefaultServerMemory is what all sessions together may hold: the
	// default session limit of full sessions would take 3.2 GiB.
	DefaultServerMemory = 1 << 30
	// minSessionMemory is the least a session may be given: its view,
	// a few rows and one big message.
	minSessionMemory = 1 << 20
)

// rowOverhead is about what a log row costs beyond its texts, in bytes:
// the entry and its slice headers.
const rowOverhead = 192

// queuedOverhead is what a delivery waiting in the outbox or held costs
// beyond its message.
const queuedOverhead = 96

// logBook is a session's log: the latest rows within the budget, in log
// number order. Rows of big messages keep an abridged copy (logEntry.pv)
// for the page, and the message's full text (logEntry.m) until the budget
// needs its room.
type logBook struct {
	rows   []logEntry // rows[head:] are held, oldest first
	head   int
	fullAt int   // rows before it hold no full text of a big message
	base   int64 // bytes of the held rows without the full texts of big messages
	full   int64 // bytes of the full texts of big messages held
}

// size is what a row costs, without the full text of a big message.
func (e *logEntry) size() int64 {
	n := rowOverhead + len(e.inst) + len(e.key) + len(e.raw)
	if e.cut > 0 {
		n += len(e.pv)
	} else {
		n += len(e.m)
	}
	for _, d := range e.diag {
		n += len(d.Text) + len(d.Path) + len(d.Kind) + 32
	}
	return int64(n)
}

func (l *logBook) add(e logEntry) {
	l.base += e.size()
	if e.cut > 0 {
		l.full += int64(len(e.m))
	}
	l.rows = append(l.rows, e)
}

// len is the number of rows held.
func (l *logBook) len() int { return len(l.rows) - l.head }

// first is the log number of the oldest row held, 0 when none is.
func (l *logBook) first() uint64 {
	if l.len() == 0 {
		return 0
	}
	return l.rows[l.head].n
}

// at is the row numbered n, or nil when it is not held. Rows are numbered
// without gaps, so it is an index.
func (l *logBook) at(n uint64) *logEntry {
	f := l.first()
	if f == 0 || n < f || n-f >= uint64(l.len()) {
		return nil
	}
	return &l.rows[l.head+int(n-f)]
}

// dropFull lets go of the full text of the oldest big message held, and
// returns its size (0 when none is held).
func (l *logBook) dropFull() int64 {
	l.fullAt = max(l.fullAt, l.head)
	for ; l.fullAt < len(l.rows); l.fullAt++ {
		e := &l.rows[l.fullAt]
		if e.cut > 0 && e.m != nil {
			n := int64(len(e.m))
			e.m = nil
			l.full -= n
			l.fullAt++
			return n
		}
	}
	return 0
}

// dropRow lets go of the oldest row, and returns its size with its full
// text (0 when no row is held).
func (l *logBook) dropRow() int64 {
	if l.len() == 0 {
		return 0
	}
	e := &l.rows[l.head]
	n := e.size()
	l.base -= n
	if e.cut > 0 && e.m != nil {
		l.full -= int64(len(e.m))
		n += int64(len(e.m))
	}
	*e = logEntry{} // its messages can go
	l.head++
	if l.head > 1024 && l.head > len(l.rows)/2 {
		// Move the rows down into a smaller array, so that the space of
		// dropped rows is freed too.
		rows := make([]logEntry, l.len(), l.len()+l.len()/4+16)
		copy(rows, l.rows[l.head:])
		l.fullAt = max(l.fullAt-l.head, 0)
		l.rows, l.head = rows, 0
	}
	return n
}

// drops counts what a session let go of to stay within its budget.
type drops struct {
	Rows          int64 `json:"rows"`          // log rows
	RowBytes      int64 `json:"rowBytes"`      // their bytes, with their full texts
	Full          int64 `json:"full"`          // full texts of big messages whose abridged rows remain
	FullBytes     int64 `json:"fullBytes"`     // their bytes
	Deliveries    int64 `json:"deliveries"`    // messages to extensions lost (rows of their own say which)
	DeliveryBytes int64 `json:"deliveryBytes"` // their bytes
}

// memoryFrame tells the page what its session holds (docs/relay.md).
type memoryFrame struct {
	T       string     `json:"t"` // "b"
	Budget  int64      `json:"budget"`
	Used    int64      `json:"used"`
	Rows    int        `json:"rows"`
	First   uint64     `json:"first"`
	Dropped drops      `json:"dropped"`
	Server  serverMemo `json:"server"`
}

type serverMemo struct {
	Budget int64 `json:"budget"`
	Used   int64 `json:"used"`
}

// used is what the session holds, in bytes.
func (s *session) used() int64 {
	return s.log.base + s.log.full + s.outboxBytes + s.heldBytes + s.eng.CacheBytes()
}

// keepBudget keeps the session within its budget, and within its share
// of the server's when the server is over its own. It runs at the end of
// every step, under s.mu; what it lets go of is told in b.
func (s *session) keepBudget(b *batch) {
	srv := s.srv
	limit := s.limit()
	if limit < srv.sessionMemory && !s.squeezed {
		s.squeezed = true
		srv.log.Warn("cpsim's sessions hold more than its memory budget (-memory): each keeps its share",
			"session", s.id, "share", humanize.IBytes(uint64(limit)), "budget", humanize.IBytes(uint64(srv.serverMemory)))
	}
	s.trimDeliveries(b, limit)
	for over := s.used() - limit; over > 0; over = s.used() - limit {
		if n := s.log.dropFull(); n > 0 {
			s.dropped.Full++
			s.dropped.FullBytes += n
			continue
		}
		if n := s.log.dropRow(); n > 0 {
			s.dropped.Rows++
			s.dropped.RowBytes += n
			continue
		}
		break // only deliveries and caches are left, each within its quarter
	}
	s.stepSeq = s.seq
	used := s.used()
	srv.memUsed.Add(used - s.memCounted)
	s.memCounted = used
	if srv.memUsed.Load() > srv.serverMemory {
		s.later = append(s.later, srv.rebalance)
	}
}

// limit is the session's budget now: its own, or its share of the
// server's while the sessions together hold more than that.
func (s *session) limit() int64 {
	srv := s.srv
	if srv.memUsed.Load() <= srv.serverMemory {
		return srv.sessionMemory
	}
	share := max(srv.serverMemory/max(srv.nSessions.Load(), 1), min(minSessionMemory, srv.sessionMemory))
	return min(share, srv.sessionMemory)
}

// trimDeliveries keeps what waits for the page within its parts of the
// session's limit: held deliveries leave early past an eighth of it; the
// oldest the page has not taken are dropped past a quarter while no page
// is connected, or past a half while one is (it is only behind by what it
// has not acknowledged yet, every 100 ms), each instance that lost some
// told. With the caches' quarter, what waits takes at most seven eighths:
// the log always keeps an eighth.
func (s *session) trimDeliveries(b *batch, limit int64) {
	if held := limit / 8; s.heldBytes > held {
		n := len(s.delayed.items)
		s.releaseEarly(b, held)
		s.addLog(b, &logEntry{dir: "out", at: s.now(), diag: []state.Diagnostic{{Direction: "out", Severity: state.SeverityInfo, Kind: "dropped",
			Text: fmt.Sprintf("%s left before their injected delay ended: the session holds back at most %s of messages (an eighth of its memory budget, -session-memory)",
				plural(int64(n-len(s.delayed.items)), "delivery", "deliveries"), humanize.IBytes(uint64(held)))}}})
	}
	waiting, why := limit/4, "the session keeps at most %s of messages for a page that is gone (a quarter of its memory budget, -session-memory)"
	if s.conn != nil {
		waiting, why = limit/2, "the session keeps at most %s of messages the page has not acknowledged (half its memory budget, -session-memory)"
	}
	if s.outboxBytes > waiting {
		s.loseOldest(b, func() bool { return s.outboxBytes > waiting }, fmt.Sprintf(why, humanize.IBytes(uint64(waiting))))
	}
}

// loseOldest drops the oldest deliveries the page has not acknowledged
// while more says so, and tells each instance that lost some why, in a
// row of its own that cpsim test reports. Those of the current step are
// kept: the page has not had the time to take them. A page that is
// connected is too far behind: it is disconnected, and resumes with what
// is left.
func (s *session) loseOldest(b *batch, more func() bool, why string) {
	lost := map[string]*drops{}
	i := 0
	for ; i < len(s.outbox) && s.outbox[i].seq <= s.stepSeq && more(); i++ {
		d := s.outbox[i].d
		n := int64(len(d.Data) + queuedOverhead)
		s.outboxBytes -= n
		l := lost[d.To]
		if l == nil {
			l = &drops{}
			lost[d.To] = l
		}
		l.Deliveries++
		l.DeliveryBytes += n
	}
	if i == 0 {
		return
	}
	if s.conn != nil {
		s.srv.log.Warn("a page fell too far behind and is disconnected; it resumes, without the messages it lost",
			"session", s.id, "lost", i, "why", why)
		s.conn.drop()
	}
	clear(s.outbox[:i])
	s.outbox = s.outbox[i:]
	insts := make([]string, 0, len(lost))
	for inst := range lost {
		insts = append(insts, inst)
	}
	sort.Strings(insts)
	for _, inst := range insts {
		l := lost[inst]
		s.dropped.Deliveries += l.Deliveries
		s.dropped.DeliveryBytes += l.DeliveryBytes
		e := logEntry{dir: "out", inst: inst, key: s.keyOf(inst), at: s.now(), diag: []state.Diagnostic{{
			Instance: inst, Direction: "out", Severity: state.SeverityWarning, Kind: "dropped",
			Text: fmt.Sprintf("%s to this instance (%s) lost: the page did not take them, and %s",
				plural(l.Deliveries, "message", "messages"), humanize.IBytes(uint64(l.DeliveryBytes)), why)}}}
		s.addLog(b, &e)
		s.report(&e)
	}
}

// memoryFrame is what the page shows of the session's memory.
func (s *session) memoryFrame() memoryFrame {
	return memoryFrame{T: "b", Budget: s.limit(), Used: s.used(), Rows: s.log.len(), First: s.log.first(), Dropped: s.dropped,
		Server: serverMemo{Budget: s.srv.serverMemory, Used: s.srv.memUsed.Load()}}
}

// rebalance trims every session over its share of the server's budget,
// one at a time, when the sessions together hold more than it: the
// session that grows past it trims itself at once, the others here. One
// runs at a time; the others have nothing to add.
func (s *Server) rebalance() {
	if !s.rebalancing.CompareAndSwap(false, true) {
		return
	}
	defer s.rebalancing.Store(false)
	s.mu.Lock()
	all := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		all = append(all, ss)
	}
	s.mu.Unlock()
	share := max(s.serverMemory/int64(max(len(all), 1)), min(minSessionMemory, s.sessionMemory))
	for _, ss := range all {
		if s.memUsed.Load() <= s.serverMemory {
			return
		}
		ss.mu.Lock()
		over := !ss.closed && ss.memCounted > share
		ss.mu.Unlock()
		if over {
			s.locked(ss, func(b *batch) {}) // keepBudget trims it to its share
		}
	}
}

// plural is n with the noun that fits it.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}
