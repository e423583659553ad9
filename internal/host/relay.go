package host

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/state"
)

// Limits of the relay (docs/relay.md).
const (
	// maxRelay is the largest extension message the page relays, in bytes
	// of its JSON: a rich HTML email body with inline images runs to
	// several MiB. The page answers a bigger one with an error response.
	// web/static/js/constants.js (MAX_RELAY) has the same number.
	maxRelay     = 8 << 20
	readLimit    = maxRelay + 64<<10 // bytes per websocket message from the page: one relayed message and its frame
	helloTimeout = 10 * time.Second  // for the page's first frame
)

// handleWS is the relay's HTTP face: it upgrades the request and runs the
// relay. Only the panel page may connect: a request from another origin is
// refused (coder/websocket's default: the Origin's host must be the
// request's Host, which checkHost has checked), and so is one with no
// Origin at all, which no browser sends for a websocket but any local
// process can; both get 403.
func (s *Server) handleWS(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Origin") == "" {
		s.log.Warn("websocket refused: no Origin header, so not the panel page", "remote", r.RemoteAddr)
		http.Error(w, "cpsim's relay is for the panel page: this request has no Origin header", http.StatusForbidden)
		return
	}
	ws, err := websocket.Accept(w, r, nil)
	if err != nil {
		s.log.Info("websocket refused", "origin", r.Header.Get("Origin"), "err", err)
		return // Accept has answered
	}
	// Counted under s.mu, and not at all once Shutdown has begun: a
	// WaitGroup must not be added to while it is waited on.
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		ws.Close(websocket.StatusGoingAway, "cpsim is shutting down")
		return
	}
	s.relays.Add(1)
	s.mu.Unlock()
	defer s.relays.Done()
	err = s.relay(withLogin(r.Context(), loginToken(r)), ws, r.Header.Get("Origin"))
	switch websocket.CloseStatus(err) {
	case websocket.StatusNormalClosure, websocket.StatusGoingAway:
	default:
		if err != nil && !errors.Is(err, context.Canceled) {
			s.log.Info("relay ended", "err", err)
		}
	}
}

// conn is one page's websocket. Messages for it queue under the session's
// lock (bounded: a page that lets the queue fill is dropped, and resumes
// when it reconnects), and whichever goroutine queued them writes them once
// it has let go of the session's lock, unless another goroutine is writing
// already, which then writes them too, in order. So a slow page never
// blocks its session, and a reply costs no hand-over to another goroutine.
//
// A watching page's connection (watch.go) is written by a goroutine of its
// own instead (async), and bounds the bytes waiting for it too (maxBytes):
// a slow watcher is dropped, and never holds the goroutine of the hosting
// page or of the engine's timers, which queue its messages.
type conn struct {
	ws       *websocket.Conn
	g        *goroutines // the server's, which closes count among
	limit    int
	timeout  time.Duration
	watchdog *time.Timer // drops the page when a write takes longer than timeout
	async    bool        // a goroutine of its own writes (set before the conn is shared)
	maxBytes int         // the bytes that may wait for the page; 0: only limit bounds it

	mu      sync.Mutex
	pending []outMsg
	bytes   int // of the messages queued and not yet written
	writing bool
	done    chan struct{} // closed when the connection is finished
	once    sync.Once
}

type outMsg struct {
	data  []byte
	close bool // close the connection after the messages before it
	code  websocket.StatusCode
	why   string
}

func newConn(ws *websocket.Conn, g *goroutines, limit int, timeout time.Duration) *conn {
	c := &conn{ws: ws, g: g, limit: limit, timeout: timeout, done: make(chan struct{})}
	c.watchdog = time.AfterFunc(timeout, func() {
		if g.enter() {
			defer g.exit()
		}
		c.drop() // even then: a write that hangs would hold Shutdown
	})
	c.watchdog.Stop()
	return c
}

// send queues a message. It never blocks; call flush after letting go of
// the session's lock.
func (c *conn) send(data []byte) {
	if data == nil {
		return
	}
	c.queue(outMsg{data: data})
}

// closeAfter closes the connection once the messages queued before it
// are written.
func (c *conn) closeAfter(code websocket.StatusCode, why string) {
	c.queue(outMsg{close: true, code: code, why: why})
}

func (c *conn) queue(m outMsg) {
	c.mu.Lock()
	full := len(c.pending) >= c.limit ||
		c.maxBytes > 0 && c.bytes > 0 && c.bytes+len(m.data) > c.maxBytes // one message bigger than maxBytes goes alone
	if !full {
		c.pending = append(c.pending, m)
		c.bytes += len(m.data)
	}
	c.mu.Unlock()
	if full {
		c.drop()
	}
}

// flush writes what is queued, unless another goroutine is writing
// already; on an async conn, a goroutine of its own writes it.
func (c *conn) flush() {
	c.mu.Lock()
	if c.writing || len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	c.writing = true
	c.mu.Unlock()
	if !c.async {
		c.drain()
		return
	}
	if !c.g.Go(c.drain) {
		c.drop() // Shutdown is waiting: the page gets no more
		c.mu.Lock()
		c.writing = false
		c.mu.Unlock()
	}
}

// drain writes what is queued until nothing is; the caller has set
// writing.
func (c *conn) drain() {
	c.mu.Lock()
	for len(c.pending) > 0 && !c.finished() {
		batch := c.pending
		c.pending = nil
		c.mu.Unlock()
		written := 0
		for _, m := range batch {
			written += len(m.data)
			if m.close {
				c.kill(m.code, m.why)
				break
			}
			// The write timeout is the watchdog, not a context: with a
			// context that can end, coder/websocket arms a timer for every
			// write (and closes the connection when the context ends, which
			// would cut short the close frame of a relay that is returning).
			c.watchdog.Reset(c.timeout)
			err := c.ws.Write(context.Background(), websocket.MessageText, m.data)
			c.watchdog.Stop()
			if err != nil {
				c.drop()
				break
			}
		}
		c.mu.Lock()
		c.bytes -= written
	}
	c.writing = false
	c.mu.Unlock()
}

func (c *conn) finished() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// kill closes the connection with a status and a reason for the page.
func (c *conn) kill(code websocket.StatusCode, why string) {
	c.once.Do(func() {
		close(c.done)
		// Close waits for the page's answer: not here, but counted, so
		// that Shutdown waits for it. Once Shutdown has stopped waiting
		// for more, the page gets no goodbye.
		if !c.g.Go(func() { c.ws.Close(code, why) }) {
			c.ws.CloseNow()
		}
	})
}

// drop closes the connection at once, for a page that does not keep up:
// its pipe is full, so no close frame would get through.
func (c *conn) drop() {
	c.once.Do(func() {
		close(c.done)
		c.ws.CloseNow()
	})
}

// protocolError closes the connection with a status and a reason that
// tells the page's developer what was wrong.
type protocolError struct {
	code websocket.StatusCode
	why  string
}

func (e *protocolError) Error() string { return e.why }

// relay serves one page, opened at origin, until it goes away: the hello,
// then every frame.
func (s *Server) relay(ctx context.Context, ws *websocket.Conn, origin string) error {
	ws.SetReadLimit(readLimit)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.ctx, cancel)() // Shutdown ends a page yet to say hello

	hctx, hcancel := context.WithTimeout(ctx, helloTimeout)
	frames, err := readFrames(hctx, ws)
	hcancel()
	if err != nil {
		return closeWith(ws, err)
	}
	if len(frames) == 0 || frames[0].T != "hello" {
		return closeWith(ws, &protocolError{websocket.StatusPolicyViolation, "the first frame must be hello"})
	}
	if perr := checkHello(frames[0]); perr != nil {
		return s.refuse(ws, "", perr)
	}
	c := newConn(ws, &s.goroutines, s.queueLen, s.writeTimeout)
	ss, w, perr := s.attach(ctx, frames[0], c, origin)
	if perr != nil {
		return s.refuse(ws, frames[0].Session, perr)
	}
	pg := peer{c: c, w: w}
	defer s.detach(ss, pg)

	rest := frames[1:]
	var rd reading
	for {
		if err := s.handle(ss, pg, &rd, rest); err != nil {
			s.log.Warn("page refused: "+err.why, "session", ss.id)
			c.kill(err.code, err.why)
			return err
		}
		// No context that can end: coder/websocket would arm a timer for
		// every read. Shutdown and detach end the read by closing.
		rest, err = readFrames(context.Background(), ws)
		if err != nil {
			var pe *protocolError
			if errors.As(err, &pe) {
				c.kill(pe.code, pe.why)
			}
			return err
		}
	}
}

// refuse ends a connection that gets no session, and logs why.
func (s *Server) refuse(ws *websocket.Conn, session string, perr *protocolError) error {
	s.log.Warn("page refused: "+perr.why, "session", session)
	return closeWith(ws, perr)
}

// closeWith ends a connection that never got a session.
func closeWith(ws *websocket.Conn, err error) error {
	var pe *protocolError
	if errors.As(err, &pe) {
		ws.Close(pe.code, pe.why)
	} else {
		ws.CloseNow()
	}
	return err
}

// readFrames reads one message: an array of frames, or a single frame.
func readFrames(ctx context.Context, ws *websocket.Conn) ([]inFrame, error) {
	typ, data, err := ws.Read(ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageText {
		return nil, &protocolError{websocket.StatusUnsupportedData, "frames are JSON text, not binary"}
	}
	var frames []inFrame
	if len(data) > 0 && data[0] == '{' {
		frames = make([]inFrame, 1)
		err = json.Unmarshal(data, &frames[0])
	} else {
		err = json.Unmarshal(data, &frames)
	}
	if err != nil {
		return nil, &protocolError{websocket.StatusInvalidFramePayloadData, "malformed frame: " + shorten(err.Error())}
	}
	return frames, nil
}

// shorten keeps a close reason within the 123 bytes a close frame allows.
func shorten(s string) string {
	if len(s) > 100 {
		return s[:100] + "..."
	}
	return s
}

// peer is a page attached to a session: its hosting page (w nil), or a
// watching page in its seat w (watch.go).
type peer struct {
	c *conn
	w *watcher
}

// handle runs the frames of one message from an attached page, and
// answers with one message. Numbered frames (m and e) that the session has
// processed already are skipped: a page resends what was not acknowledged
// after a reconnect, so each reaches the engine exactly once. The hosting
// page numbers its frames in the session's count, a watching page in its
// seat's.
func (s *Server) handle(ss *session, pg peer, rd *reading, frames []inFrame) *protocolError {
	var perr *protocolError
	// step runs frames until one is refused, or its answers pass
	// maxStepBatch: then the step ends, its batch leaves and the session's
	// budget applies before the rest.
	step := func(b *batch) {
		in := &ss.inSeq
		if pg.w != nil {
			if pg.w.c != pg.c {
				perr = &protocolError{websocket.StatusPolicyViolation, "this watching page connected again on another connection"}
				return
			}
			in = &pg.w.in
		}
		acked := *in
		defer func() {
			if *in != acked {
				b.reply(ackFrame{T: "k", Q: *in})
			}
		}()
		for len(frames) > 0 && len(b.b) <= maxStepBatch {
			f := &frames[0]
			frames = frames[1:]
			if perr = rd.check(ss, *in, f); perr != nil {
				return
			}
			if pg.w != nil {
				if perr = watcherFrame(f); perr != nil {
					return
				}
				if f.T == "a" {
					continue
				}
			}
			if f.Q != 0 {
				if f.Q <= *in {
					continue
				}
				*in = f.Q
			}
			if perr = ss.frame(b, *f); perr != nil {
				return
			}
		}
	}
	// A closed session runs nothing, and a step that panicked (a bug,
	// which guarded reports) leaves its page disconnected: the rest of the
	// frames go with them.
	for ran := true; ran && len(frames) > 0 && perr == nil; {
		ran = false
		s.lockedFor(ss, pg.w, func(b *batch) {
			step(b)
			ran = true
		})
	}
	return perr
}

// maxStepBatch is about the most one step sends the page: a websocket
// message of frames whose answers pass it (a flood of actions, each
// answered with a state message that carries a growing transcript) is
// handled in several steps, each within the session's memory budget,
// rather than in one whose batch could take gigabytes.
const maxStepBatch = 1 << 20

// frame runs one frame; the caller holds the session's lock.
func (ss *session) frame(b *batch, f inFrame) *protocolError {
	switch f.T {
	case "m":
		if f.I == "" || (f.M == nil && f.Bad == "" && f.Drop == "") {
			return &protocolError{websocket.StatusPolicyViolation, "an m frame needs i and m (or bad, or drop)"}
		}
		ss.receive(b, f)
	case "a":
		ss.acked(f.Seq)
	case "e":
		p, err := readEvent(f.E)
		if err == nil && p.isScenarioEvent() {
			r := resultFrame{T: "r", N: f.N}
			if err := ss.srv.control(ss, b, p); err != nil {
				r.Error = err.Error()
			}
			b.reply(r)
			return nil
		}
		var ev state.Event
		if err == nil {
			ev, err = p.event()
		}
		if err != nil {
			b.reply(resultFrame{T: "r", N: f.N, Error: err.Error()})
			return nil
		}
		o, err := ss.apply(b, ev)
		r := resultFrame{T: "r", N: f.N, Created: o.Created}
		if err != nil {
			r.Error = err.Error()
		}
		b.reply(r)
	case "rec":
		b.reply(recordingResult(f))
	case "log":
		ss.logFrom(b, f.From)
	case "full":
		if f.N > 0 {
			ss.full(b, uint64(f.N))
		}
	case "hello":
		return &protocolError{websocket.StatusPolicyViolation, "hello is the first frame only"}
	default:
		return &protocolError{websocket.StatusPolicyViolation, fmt.Sprintf("unknown frame type %q", shorten(f.T))}
	}
	return nil
}

// attach gives the page its session: a new one, or the one it asks for,
// resumed after a dropped connection or a reload, or watched (watch.go)
// when a page opened at /?session=NAME finds a live page hosting it. It
// refuses the page when cpsim is shutting down, when a new session would
// be one too many, and when the hello claims deliveries the session never
// sent. A watching page gets its seat, nil for the hosting page.
func (s *Server) attach(ctx context.Context, h inFrame, c *conn, origin string) (*session, *watcher, *protocolError) {
	if perr := s.embedRefusal(h); perr != nil {
		return nil, nil, perr
	}
	// A page that watched the session watches it again, whether a page
	// hosts it or not: it takes over only when the developer says so.
	// An embedded panel never watches: its CRM needs it to host.
	rewatch := h.Watcher != "" && h.Embed == ""
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return nil, nil, &protocolError{websocket.StatusGoingAway, errShuttingDown.Error()}
	}
	ss := s.sessions[h.Session]
	var old *conn
	if ss != nil {
		ss.mu.Lock()
		old = ss.conn
		last := ss.seq
		ok := h.Seq <= last || rewatch // a watching page posts no deliveries: its seq counts nothing
		if ok && old == nil {
			ss.claim() // under s.mu: its grace cannot end it now
		}
		ss.mu.Unlock()
		if !ok {
			s.mu.Unlock()
			return nil, nil, &protocolError{websocket.StatusPolicyViolation,
				fmt.Sprintf("hello says delivery %d was posted, but the session has sent %d", h.Seq, last)}
		}
	}
	s.mu.Unlock()

	// A session already open in a live page is a duplicated tab: it gets a
	// session of its own; unless it asked for the session by name, and
	// then it watches it, rather than stop the page that hosts it (an
	// embedded panel's CRM would lose its panel). A page that does not
	// answer a ping has gone (a reload races the old page's close), and
	// the newcomer takes over.
	watch := rewatch && ss != nil
	if old != nil && !watch {
		pctx, cancel := context.WithTimeout(ctx, time.Second)
		err := old.ws.Ping(pctx)
		cancel()
		switch {
		case err == nil && h.Named && h.Embed == "":
			watch = true
		case err == nil && h.Fresh && !h.Named:
			ss = nil
		default:
			old.kill(websocket.StatusPolicyViolation, "another page took over this session")
		}
	}
	if watch {
		w, perr := s.attachWatcher(ss, h, c, origin)
		return ss, w, perr
	}

	resumed := ss != nil
	if !resumed {
		var err error
		name := ""
		if h.Named {
			name = h.Session
		}
		if ss, err = s.newSession(name); err != nil {
			var le *limitError
			switch {
			case errors.Is(err, errNameTaken):
				return nil, nil, &protocolError{websocket.StatusTryAgainLater, "the session " + name + " started meanwhile: connect again"}
			case errors.As(err, &le):
				return nil, nil, &protocolError{websocket.StatusTryAgainLater, shorten(err.Error())}
			case errors.Is(err, errShuttingDown):
				return nil, nil, &protocolError{websocket.StatusGoingAway, err.Error()}
			}
			s.log.Error("start a session", "err", err)
			return nil, nil, &protocolError{websocket.StatusInternalError, shorten("start a session: " + err.Error())}
		}
	}
	s.recheck(s.extensionURLs()...) // a page that connects shows what is true now
	if h.Embed != "" {
		s.recheckFor(h.Embed, s.extensionURLs()...)
	}
	problems := s.currentProblems(origin, h.Embed) // before ss.mu: locks are taken s.mu first
	var arrival *queuedPlay
	if !resumed {
		arrival = s.nextPlay()
	}
	attached := false
	s.locked(ss, func(b *batch) {
		attached = true
		ss.conn = c
		ss.origin = origin
		ss.hostEmbed = h.Embed
		ss.viewSent = nil
		s.embedAttach(ctx, ss, b, h)
		// Neither a resend nor a reload assigns deliveries a new seq, so the
		// welcome can tell the page the last one first.
		b.reply(welcomeFrame{T: "welcome", Session: ss.id, Resumed: resumed, Seq: ss.seq, In: ss.inSeq})
		b.watchers(marshal(hostingFrame{T: "hosting", On: true, Embed: h.Embed}))
		switch {
		case !resumed:
		case h.Fresh:
			ss.reload(b, h.Seq)
		default:
			ss.resend(b, h.Seq)
		}
		if arrival != nil {
			// Before the first view: the page never sees the instances of
			// the data the scenario replaces, so none of them loads only to
			// be removed at once.
			s.playOnArrival(ss, b, arrival)
		}
		ss.view(b)
		ss.memSent = memoryFrame{}
		ss.memory(b)
		b.reply(problemsFrame{T: "p", P: problems})
		b.reply(s.scenarioList())
		switch {
		case !resumed:
		case ss.play != nil:
			b.reply(ss.play.last)
		case ss.played != nil:
			b.reply(*ss.played)
		}
	})
	if !attached {
		return nil, nil, errEnded
	}
	s.log.Info("page connected", "session", ss.id, "resumed", resumed, "fresh", h.Fresh)
	return ss, nil, nil
}

// errEnded refuses a page whose session ended as it attached (its grace
// ran out, or cpsim is shutting down): it connects again.
var errEnded = &protocolError{websocket.StatusTryAgainLater, "the session ended as this page connected: connect again"}

// nextPlay is what a new session plays: the scenario cpsim test queued
// for it, or the one every session plays.
func (s *Server) nextPlay() *queuedPlay {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queued) > 0 {
		q := s.queued[0]
		s.queued = s.queued[1:]
		return q
	}
	if s.autoPlay != nil {
		return &queuedPlay{sc: s.autoPlay, speed: s.speed, watch: Watch{Patience: s.patience}}
	}
	return nil
}

// playOnArrival starts a new session's scenario. The caller holds ss.mu.
func (s *Server) playOnArrival(ss *session, b *batch, q *queuedPlay) {
	if err := s.startPlay(ss, b, q.sc, q.speed, q.watch); err != nil {
		s.log.Error("play a scenario", "scenario", q.sc.Name, "err", err)
		if q.watch.Done != nil {
			ss.later = append(ss.later, func() { q.watch.Done(err) }) // once the lock is let go
		}
	}
}

// detach marks a session as without its page, if pg is still its page,
// and tells its watching pages; a watching page leaves its seat. A session
// that no page shows any more ends a grace later.
func (s *Server) detach(ss *session, pg peer) {
	s.locked(ss, func(b *batch) {
		switch {
		case pg.w != nil:
			if pg.w.c != pg.c {
				return // it connected again meanwhile
			}
			pg.w.c = nil
		case ss.conn == pg.c:
			ss.conn = nil
			ss.caughtUp() // a scenario held for the page goes on
			b.watchers(marshal(hostingFrame{T: "hosting"}))
		default:
			return
		}
		if ss.conn == nil && ss.watchedBy() == 0 {
			s.expireAfterGrace(ss)
		}
	})
	pg.c.kill(websocket.StatusNormalClosure, "")
}

// locked runs f under the session's lock, queues what it put in the batch
// for the session's pages, and writes it once the lock is let go.
func (s *Server) locked(ss *session, f func(b *batch)) { s.lockedFor(ss, nil, f) }

// lockedFor is locked for a step that answers the frames of a watching
// page, to (nil: of the hosting page, or of nobody): its answers go to it
// only. f may set the batch's to itself, for the page it attaches.
func (s *Server) lockedFor(ss *session, to *watcher, f func(b *batch)) {
	ss.mu.Lock()
	if ss.closed {
		ss.mu.Unlock()
		return
	}
	b := &ss.batch
	b.reset()
	b.to = to
	b.watched = ss.watchedBesides(to)
	if !s.guarded(ss, func(b *batch) {
		f(b)
		ss.keepBudget(b)
	}) {
		return
	}
	c := ss.conn
	if c != nil {
		c.send(b.bytes())
	}
	watching := ss.sendWatchers(b)
	later := ss.later
	ss.later = nil
	if cap(b.b) > maxIdleBatch {
		b.b = nil // a burst's buffer is not kept by an idle session
	}
	if cap(b.w) > maxIdleBatch || cap(b.o) > maxIdleBatch {
		b.w, b.o = nil, nil
	}
	ss.mu.Unlock()
	if c != nil {
		c.flush()
	}
	for _, w := range watching {
		w.flush() // each in a goroutine of its own: a slow one delays nobody
	}
	for _, f := range later {
		f()
	}
}

// guarded runs f on the session's batch under ss.mu, which the caller
// holds, and reports whether f returned. A panic in f is a bug in cpsim:
// rather than leave the session locked, and every page that needs it
// frozen, it is logged with its stack, the session's pages are
// disconnected with the reason, and the lock is let go (so guarded returns false with
// ss.mu unlocked).
func (s *Server) guarded(ss *session, f func(b *batch)) (returned bool) {
	defer func() {
		if returned {
			return
		}
		r := recover()
		pages := ss.watcherConns()
		if ss.conn != nil {
			pages = append(pages, ss.conn)
		}
		ss.mu.Unlock()
		s.log.Error("cpsim hit a bug in a session; its pages are disconnected", "session", ss.id, "panic", r, "stack", string(debug.Stack()))
		for _, c := range pages {
			c.kill(websocket.StatusInternalError, "cpsim hit a bug (its log says where): reload the page")
		}
	}()
	f(&ss.batch)
	return true
}
