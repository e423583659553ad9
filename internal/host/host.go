// Package host serves the fake Communication Panel: the page a developer
// opens, its assets, and the websocket relay that connects each page to a
// protocol engine session of its own (see docs/relay.md).
package host

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/cpsim/cpsim/internal/extcheck"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

// Config configures a Server.
type Config struct {
	Logger    *slog.Logger
	Data      *state.Data      // the agent, queues and extensions of every new session
	Validator *state.Validator // compiled once, shared by every session
	// Assets holds host.html and static/: web.Files(), or the web directory
	// on disk with Dev set.
	Assets fs.FS
	// Dev reads host.html from Assets on every request instead of once.
	Dev bool
	// Strict validates every message the engine produces (slower).
	Strict bool
	// Seed, when not zero, makes every session's ids reproducible.
	Seed uint64
	// Clock tells the time; nil is time.Now.
	Clock func() time.Time
	// Hosts lists the host names the panel answers to, as a defence
	// against DNS rebinding; empty means any.
	Hosts []string
	// QueueLen bounds the messages waiting for a slow page (default 1024).
	QueueLen int
	// WriteTimeout is how long a write to a page may take before the page
	// is dropped, to resume when it reconnects (default 5 s).
	WriteTimeout time.Duration
	// SessionGrace is how long a session outlives its last page (default
	// DefaultSessionGrace): a reload or a dropped connection resumes it
	// within that time; after it, a timer of the server ends the session
	// (its run stops) and frees its memory.
	SessionGrace time.Duration
	// MaxSessions bounds the sessions held at once, with a page or within
	// their grace (default DefaultMaxSessions; below 0, no limit, for
	// cpsim test, whose tabs the server opens itself). A page that would
	// start one more is refused with a close reason it shows.
	MaxSessions int
	// SessionMemory is the bytes of messages a session holds at most: its
	// log, its extensions' caches, and what waits for its page (default
	// DefaultSessionMemory; memory.go says what goes first).
	SessionMemory int64
	// ServerMemory is the bytes all sessions together hold at most
	// (default DefaultServerMemory): past it, each session keeps its
	// share.
	ServerMemory int64
	// Scenarios are the scenarios the page offers to play.
	Scenarios []*scenario.Scenario
	// Skipped are the built-in scenarios the configuration leaves out,
	// which the page lists with why.
	Skipped []scenario.Skipped
	// AutoPlay, when set, plays in every new session as soon as its page
	// has connected; a reload resumes it, it does not replay.
	AutoPlay *scenario.Scenario
	// Speed divides the waits of scenarios played automatically.
	Speed float64
	// Patience multiplies the time each expect of a scenario played in a
	// page allows, from its Scenarios tab or AutoPlay (0 is 1): see
	// scenario.Options.Patience. cpsim test sets its own, per run, in
	// Watch.
	Patience float64
	// Check checks an extension URL as the panel will load it, such as
	// extcheck.Check with the panel's origin; nil checks nothing. The
	// server checks every URL when CheckExtensions is called, and again
	// when a page connects and when an instance of it loads, so that the
	// pages show what is true now.
	Check func(ctx context.Context, url string) []Problem
	// CheckCRM checks an extension URL as the panel that a CRM at origin
	// crm embeds will load it, such as extcheck.CheckCRM; nil checks
	// nothing. The server checks when an embedded panel's page connects,
	// and shows what it finds in that page.
	CheckCRM func(ctx context.Context, crm, url string) []Problem
	// CheckEvery is the least time between two checks of one URL
	// (default 2 s).
	CheckEvery time.Duration
	// Version is cpsim's version, which the control API tells
	// (GET /api/v1/); "" is "dev".
	Version string
	// EmbedOrigins are the origins of the CRM pages that may embed the
	// panel and call its authentication and RI endpoints, as browsers send
	// them (NormalizeOrigin); empty allows any loopback origin.
	EmbedOrigins []string
}

// Defaults of Config (README, docs/relay.md).
const (
	// DefaultSessionGrace is long enough for a reload, a laptop's short
	// sleep or cpsim's page reconnecting after a dropped connection, and
	// short enough that abandoned tabs do not hold their memory for long.
	DefaultSessionGrace = 5 * time.Minute
	// DefaultMaxSessions is far more panel tabs than a developer opens,
	// and at about 65 KiB of heap for an idle session, a bound on what
	// sessions nobody uses can hold.
	DefaultMaxSessions = 100
)

// Problem is something wrong with the configuration that the page shows:
// an extension that cannot be reached or framed, or one served same-site
// with the panel. internal/extcheck finds them.
type Problem = extcheck.Problem

// Server is the panel: an http.Handler for the page and the relay.
//
// Locks are taken in one order: s.mu before a session's mu, never the
// other way round.
type Server struct {
	log          *slog.Logger
	data         *state.Data
	val          *state.Validator
	assets       fs.FS
	page         []byte // host.html, read once unless dev
	dev          bool
	strict       bool
	seed         uint64
	clock        func() time.Time
	hosts        []string
	queueLen     int
	writeTimeout time.Duration
	grace        time.Duration
	maxSessions  int
	scenarios    []*scenario.Scenario
	skipped      []scenario.Skipped
	autoPlay     *scenario.Scenario
	speed        float64
	patience     float64
	version      string

	handler http.Handler
	// ctx is the parent of every context the server's goroutines run
	// with; Shutdown cancels it, so that none of them outlives the server,
	// even one whose session it no longer knows of.
	ctx        context.Context
	cancel     context.CancelFunc
	relays     sync.WaitGroup // the pages' relays, run by the HTTP server
	goroutines goroutines     // those the server starts itself
	checks     *extChecks
	embed      *embedState // the CRMs that may embed the panel, and their logins

	// Memory budgets, in bytes (memory.go).
	sessionMemory int64
	serverMemory  int64
	memUsed       atomic.Int64 // what the sessions hold together
	nSessions     atomic.Int64 // len(sessions), read without s.mu
	rebalancing   atomic.Bool

	mu       sync.Mutex
	sessions map[string]*session
	problems []Problem
	closing  bool
	queued   []*queuedPlay // scenarios for the next new sessions, in order

	nextSeed atomic.Uint64 // each engine its own reproducible ids
}

// queuedPlay is a scenario waiting for a new session.
type queuedPlay struct {
	sc    *scenario.Scenario
	speed float64
	watch Watch
}

// New builds the panel. It reads and checks its assets now, so that a
// broken build fails at start rather than on the first page.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil || cfg.Data == nil || cfg.Validator == nil || cfg.Assets == nil {
		return nil, errors.New("host: Logger, Data, Validator and Assets are required")
	}
	if err := cfg.Data.Check("config"); err != nil {
		return nil, err
	}
	page, err := fs.ReadFile(cfg.Assets, "host.html")
	if err != nil {
		return nil, fmt.Errorf("read the panel page: %w", err)
	}
	for _, f := range []string{"static/host.js", "static/host.css"} {
		if _, err := fs.Stat(cfg.Assets, f); err != nil {
			return nil, fmt.Errorf("the panel page's assets: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		ctx:           ctx,
		cancel:        cancel,
		log:           cfg.Logger,
		data:          cfg.Data,
		val:           cfg.Validator,
		assets:        cfg.Assets,
		page:          page,
		dev:           cfg.Dev,
		strict:        cfg.Strict,
		seed:          cfg.Seed,
		clock:         cfg.Clock,
		hosts:         cfg.Hosts,
		queueLen:      cfg.QueueLen,
		writeTimeout:  cfg.WriteTimeout,
		grace:         cfg.SessionGrace,
		maxSessions:   cfg.MaxSessions,
		sessionMemory: cfg.SessionMemory,
		serverMemory:  cfg.ServerMemory,
		sessions:      map[string]*session{},
		scenarios:     withAutoPlay(cfg.Scenarios, cfg.AutoPlay),
		skipped:       cfg.Skipped,
		autoPlay:      cfg.AutoPlay,
		speed:         cfg.Speed,
		patience:      cfg.Patience,
		version:       cfg.Version,
		checks:        newExtChecks(ctx, cfg.Check, cfg.CheckCRM, cfg.CheckEvery),
		embed:         newEmbedState(cfg.EmbedOrigins),
	}
	s.nextSeed.Store(cfg.Seed)
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.version == "" {
		s.version = "dev"
	}
	if s.speed <= 0 {
		s.speed = 1
	}
	if s.queueLen <= 0 {
		s.queueLen = 1024
	}
	if s.writeTimeout <= 0 {
		s.writeTimeout = 5 * time.Second
	}
	if s.grace <= 0 {
		s.grace = DefaultSessionGrace
	}
	if s.maxSessions == 0 {
		s.maxSessions = DefaultMaxSessions
	}
	if s.sessionMemory <= 0 {
		s.sessionMemory = DefaultSessionMemory
	}
	if s.serverMemory <= 0 {
		s.serverMemory = DefaultServerMemory
	}
	s.handler = s.routes()
	return s, nil
}

// withAutoPlay lists the scenario played in every new session first when
// it is not of the library (cpsim -scenario FILE), so that the page shows
// it and can play it again.
func withAutoPlay(library []*scenario.Scenario, auto *scenario.Scenario) []*scenario.Scenario {
	if auto == nil || slices.Contains(library, auto) {
		return library
	}
	return append([]*scenario.Scenario{auto}, library...)
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// engineOptions are the options of a session's engine over data. It takes
// no lock: it is called under a session's.
func (s *Server) engineOptions(d *state.Data) state.Options {
	opts := state.Options{Data: d, Validator: s.val, CheckOutbound: s.strict, Clock: s.clock,
		CacheBytes: s.sessionMemory / 4} // memory.go
	if s.seed != 0 {
		opts.IDs = state.SeededIDs(s.nextSeed.Add(1) - 1)
	}
	return opts
}

// PlayInNextSession plays a scenario in the next page to connect for a new
// session (cpsim test opens one page per scenario), and tells w. The
// function it returns takes the scenario off the queue if no session has
// started it yet (no page came), so that the next one does not play it.
func (s *Server) PlayInNextSession(sc *scenario.Scenario, speed float64, w Watch) (withdraw func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := &queuedPlay{sc: sc, speed: speed, watch: w}
	s.queued = append(s.queued, q)
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.queued = slices.DeleteFunc(s.queued, func(p *queuedPlay) bool { return p == q })
	}
}

// errNameTaken is newSession's answer when a session of that name
// started meanwhile; the caller looks it up again.
var errNameTaken = errors.New("a session of that name started meanwhile")

// maxSessionName is the longest session name, in bytes.
const maxSessionName = 64

// CheckSessionName says what is wrong with a session name, or nil: 1 to
// 64 letters, digits, '.', '_' and '-', starting with a letter or digit,
// so that it reads the same in a URL (/?session=NAME), a log line and a
// file name. Random session ids (24 hex digits) pass too.
func CheckSessionName(name string) error {
	if name == "" || len(name) > maxSessionName {
		return fmt.Errorf("a session name has 1 to %d characters, not %d", maxSessionName, len(name))
	}
	for i, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || i > 0 && (c == '.' || c == '_' || c == '-')
		if !ok {
			return fmt.Errorf("session name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", name)
		}
	}
	return nil
}

// sessionNamed returns the session called name, started now (created)
// when the server does not hold one, for a page opened at /?session=NAME
// or a call of the control API. A session started with no page expires a
// grace later unless a page takes it, as one whose page left. Errors: an
// invalid name, the session limit (*limitError), shutting down.
func (s *Server) sessionNamed(name string) (ss *session, created bool, err error) {
	if err := CheckSessionName(name); err != nil {
		return nil, false, err
	}
	for {
		s.mu.Lock()
		ss = s.sessions[name]
		s.mu.Unlock()
		if ss != nil {
			return ss, false, nil
		}
		ss, err = s.newSession(name)
		if errors.Is(err, errNameTaken) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		ss.mu.Lock()
		if ss.conn == nil {
			s.expireAfterGrace(ss)
		}
		ss.mu.Unlock()
		return ss, true, nil
	}
}

// errShuttingDown refuses a session once Shutdown has begun.
var errShuttingDown = errors.New("cpsim is shutting down")

// limitError refuses a new session when the server holds MaxSessions.
type limitError struct {
	max   int
	grace time.Duration
}

// Error is the close reason the page shows (at most 123 bytes).
func (e *limitError) Error() string {
	return fmt.Sprintf("cpsim holds %d sessions, its limit (-max-sessions): close panel tabs, or wait %v after they close", e.max, e.grace)
}

// newSession starts a session with its own engine, unless the server holds
// as many as it may (a *limitError) or is shutting down. Its id is name,
// or a random one when name is "": the caller has checked that a name is
// valid (CheckSessionName) and not taken.
func (s *Server) newSession(name string) (*session, error) {
	if err := s.roomForSession(); err != nil {
		return nil, err // before building an engine that would be thrown away
	}
	eng, err := state.New(s.engineOptions(s.data))
	if err != nil {
		return nil, err
	}
	id := name
	if id == "" {
		var b [12]byte
		_, _ = rand.Read(b[:])
		id = hex.EncodeToString(b[:])
	}
	ss := &session{srv: s, id: id, eng: eng, asked: map[ask]sent{}, insts: map[string]instRef{}}
	for _, in := range eng.Instances() {
		ss.insts[in.ID] = refOf(in)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.roomLocked(); err != nil {
		return nil, err // another page took the last place meanwhile
	}
	if s.sessions[ss.id] != nil {
		return nil, errNameTaken // another page or call started it meanwhile
	}
	s.sessions[ss.id] = ss
	s.nSessions.Store(int64(len(s.sessions)))
	s.log.Info("session started", "session", ss.id, "sessions", len(s.sessions))
	return ss, nil
}

func (s *Server) roomForSession() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.roomLocked()
}

// roomLocked says whether one more session may start. The caller holds
// s.mu.
func (s *Server) roomLocked() error {
	if s.closing {
		return errShuttingDown
	}
	if s.maxSessions > 0 && len(s.sessions) >= s.maxSessions {
		return &limitError{max: s.maxSessions, grace: s.grace}
	}
	return nil
}

// expireAfterGrace arms the timer that ends a session its page has left,
// unless a page takes it first: left numbers the departures, so that the
// timer of an earlier one does nothing. The caller holds ss.mu.
func (s *Server) expireAfterGrace(ss *session) {
	if ss.closed {
		return
	}
	ss.left++
	n := ss.left
	if ss.expiry != nil {
		ss.expiry.Stop()
	}
	ss.expiry = s.afterFunc(s.grace, func() { s.expire(ss, n) })
}

// claim keeps a session a page is about to take from expiring. The
// caller holds s.mu and ss.mu: expire takes both, so it either ended the
// session already (it is no longer in s.sessions) or will find it taken.
func (ss *session) claim() {
	ss.left++
	if ss.expiry != nil {
		ss.expiry.Stop()
		ss.expiry = nil
	}
}

// expire ends a session whose page left a grace period ago (departure
// n) and that no page has taken since: its run stops, as at Shutdown, and
// its memory is freed.
func (s *Server) expire(ss *session, n uint64) {
	s.mu.Lock()
	ss.mu.Lock()
	stale := ss.conn == nil && ss.watchedBy() == 0 && ss.left == n && !ss.closed
	if stale {
		ss.close() // no page will see it again: its run stops too
	}
	if stale {
		s.memUsed.Add(-ss.memCounted)
		ss.memCounted = 0
	}
	ss.mu.Unlock()
	if stale {
		delete(s.sessions, ss.id)
		s.nSessions.Store(int64(len(s.sessions)))
	}
	held := len(s.sessions)
	s.mu.Unlock()
	if stale {
		s.log.Info("session ended: its page left "+s.grace.String()+" ago", "session", ss.id, "sessions", held)
	}
}

// Report replaces the problems every page shows, and tells the pages now
// connected.
func (s *Server) Report(ps []Problem) {
	s.mu.Lock()
	s.problems = slices.Clone(ps)
	all := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		all = append(all, ss)
	}
	s.mu.Unlock()
	for _, ss := range all {
		// The origin under ss.mu, the problems under s.mu: never both at
		// once in that order. A page that attaches meanwhile gets its own.
		ss.mu.Lock()
		origin, crm := ss.origin, ss.hostEmbed
		ss.mu.Unlock()
		frame := problemsFrame{T: "p", P: s.currentProblems(origin, crm)}
		s.locked(ss, func(b *batch) { b.frame(frame) })
	}
}

// currentProblems are the problems a page opened at origin shows: those
// found at start, except that whether an extension is same-site with the
// panel depends on the name the browser opened the panel by, which only the
// page's own origin tells; and for an embedded panel's page, whose CRM is
// at origin crm, whether the CRM may frame each extension too.
func (s *Server) currentProblems(origin, crm string) []Problem {
	var embedded []Problem // before s.mu: the checks' lock is never taken under it
	if crm != "" {
		embedded = s.checks.latestFor(crm)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]Problem{}, embedded...)
	for _, p := range s.problems {
		if p.Kind != "same-site" {
			out = append(out, p)
		}
	}
	if origin == "" {
		return out
	}
	var seen []string
	for _, e := range s.data.Extensions {
		if slices.Contains(seen, e.URL) {
			continue
		}
		seen = append(seen, e.URL)
		if p := extcheck.SameSite(origin, e.URL); p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// Shutdown ends every session as the panel would when it closes: each
// extension gets exit, then each page's websocket closes normally. It waits
// for the relays and for every goroutine the server started (scenario
// runs, extension checks, closes), or for ctx; when ctx ends first, it
// returns at once and what is left ends in the background.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing = true
	all := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		all = append(all, ss)
	}
	s.mu.Unlock()
	for _, ss := range all {
		s.locked(ss, func(b *batch) {
			ss.stopPlay(b, "stopped")
			ss.absorb(b, ss.eng.Shutdown())
			ss.closePages(b, websocket.StatusGoingAway, "cpsim is shutting down")
		})
		ss.mu.Lock()
		ss.close()
		ss.mu.Unlock()
	}
	// Every page has been told: whatever is still under way (a check, a
	// run in a session swept meanwhile, a page yet to say hello) stops.
	s.stopChecks()
	s.cancel()
	done := make(chan struct{})
	go func() {
		s.relays.Wait()
		s.goroutines.wait() // after the relays: they close pages in goroutines
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("pages still connected: %w", ctx.Err())
	}
}
