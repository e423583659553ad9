package host

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Checking the extensions' URLs (extcheck.Check) is not done once: an
// extension's dev server is often started after cpsim, or restarted, so a
// problem found at start ("cannot reach ... is the server running?") may be
// gone a minute later, and a working one may break. The server checks a URL
// again when a page connects and when an instance of it loads, at most once
// per CheckEvery, and the pages show what is true now.

// checkKey names one check: of an extension URL as the panel frames it
// (crm ""), or as the panel a CRM at origin crm embeds frames it.
type checkKey struct{ url, crm string }

// extChecks is the server's record of the extension URL checks.
type extChecks struct {
	check    func(ctx context.Context, url string) []Problem      // nil: no checks
	checkCRM func(ctx context.Context, crm, url string) []Problem // nil: none for CRMs
	every    time.Duration
	ctx      context.Context // the server's, until stopChecks
	stop     context.CancelFunc

	// reporting serializes telling the pages, so that the last report is
	// of the latest results. It is taken before mu, and never under a
	// session's lock.
	reporting sync.Mutex

	mu    sync.Mutex
	order []checkKey // in the order they were first checked
	byURL map[checkKey]*urlCheck
}

// urlCheck is the latest check of one URL.
type urlCheck struct {
	problems []Problem
	done     bool      // a check has finished
	at       time.Time // when the latest check started
	running  bool
	again    bool // asked for again while running or too soon
}

func newExtChecks(ctx context.Context, check func(context.Context, string) []Problem,
	checkCRM func(context.Context, string, string) []Problem, every time.Duration) *extChecks {
	ctx, stop := context.WithCancel(ctx)
	if every <= 0 {
		every = 2 * time.Second
	}
	return &extChecks{check: check, checkCRM: checkCRM, every: every, ctx: ctx, stop: stop, byURL: map[checkKey]*urlCheck{}}
}

// CheckExtensions checks every configured extension URL now, in the
// background; pages are told what it finds. cpsim calls it once it
// listens.
func (s *Server) CheckExtensions() {
	s.recheck(s.extensionURLs()...)
}

// extensionURLs lists the configured extensions' URLs, once each.
func (s *Server) extensionURLs() []string {
	var urls []string
	for _, e := range s.data.Extensions {
		if !slices.Contains(urls, e.URL) {
			urls = append(urls, e.URL)
		}
	}
	return urls
}

// recheck checks URLs again: at once when the last check of one is older
// than CheckEvery, else once that much time has passed since. It never
// blocks, and takes no lock of the server or of a session.
func (s *Server) recheck(urls ...string) {
	s.recheckFor("", urls...)
}

// recheckFor checks URLs again as recheck does, for the panel that a CRM
// at origin crm embeds ("": the panel itself).
func (s *Server) recheckFor(crm string, urls ...string) {
	c := s.checks
	if c.check == nil || crm != "" && c.checkCRM == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx.Err() != nil {
		return
	}
	for _, u := range urls {
		k := checkKey{u, crm}
		uc := c.byURL[k]
		if uc == nil {
			uc = &urlCheck{}
			c.byURL[k] = uc
			c.order = append(c.order, k)
		}
		if uc.running {
			uc.again = true
			continue
		}
		uc.running = s.goroutines.Go(func() { s.runChecks(k, uc) })
	}
}

// runChecks checks one URL, again while asked to, and tells the pages.
func (s *Server) runChecks(k checkKey, uc *urlCheck) {
	c := s.checks
	for {
		c.mu.Lock()
		wait := time.Duration(0)
		if !uc.at.IsZero() {
			wait = c.every - s.clock().Sub(uc.at)
		}
		c.mu.Unlock()
		if wait > 0 {
			select {
			case <-time.After(wait):
			case <-c.ctx.Done():
				return
			}
		}
		c.mu.Lock()
		uc.at, uc.again = s.clock(), false
		c.mu.Unlock()

		var ps []Problem
		if k.crm == "" {
			ps = c.check(c.ctx, k.url)
		} else {
			ps = c.checkCRM(c.ctx, k.crm, k.url)
		}
		if c.ctx.Err() != nil {
			return
		}

		c.mu.Lock()
		before, first := uc.problems, !uc.done
		uc.problems, uc.done = ps, true
		again := uc.again
		if !again {
			uc.running = false
		}
		c.mu.Unlock()

		s.logChange(k.url, before, ps, first)
		c.reporting.Lock()
		s.Report(c.latest())
		c.reporting.Unlock()
		if !again {
			return
		}
	}
}

// latest is every URL's latest problems as the panel frames it, in
// order.
func (c *extChecks) latest() []Problem { return c.latestFor("") }

// latestFor is every URL's latest problems as the panel that a CRM at
// origin crm embeds frames it ("": the panel itself), in order.
func (c *extChecks) latestFor(crm string) []Problem {
	c.mu.Lock()
	defer c.mu.Unlock()
	var all []Problem
	for _, k := range c.order {
		if k.crm == crm {
			all = append(all, c.byURL[k].problems...)
		}
	}
	return all
}

// logChange logs what a check found that the one before did not, and says
// when a URL's problems are gone.
func (s *Server) logChange(u string, before, now []Problem, first bool) {
	for _, p := range now {
		if slices.Contains(before, p) {
			continue
		}
		if p.Level == "error" {
			s.log.Error(p.Text)
		} else {
			s.log.Warn(p.Text)
		}
	}
	if !first && len(before) > 0 && len(now) == 0 {
		s.log.Info("the extension's problems are gone", "url", u)
	}
}

// stopChecks ends the checks under way and starts no more; Shutdown
// waits for them among the server's goroutines.
func (s *Server) stopChecks() {
	s.checks.mu.Lock()
	s.checks.stop()
	s.checks.mu.Unlock()
}
