// Package runner runs scenarios headless, as extension tests: it starts
// cpsim on free loopback ports, loads the extensions in the panel page in
// headless Chromium, plays each scenario in a page of its own, and reports
// each step, the extensions' protocol problems, the extension frames that
// did not load and why, the extensions' uncaught exceptions and console
// errors, and the result (cpsim test).
package runner

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chromedp/chromedp"

	"github.com/cpsim/cpsim/internal/demo"
	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/server"
	"github.com/cpsim/cpsim/internal/state"
)

// Config is how to run.
type Config struct {
	Logger    *slog.Logger
	Validator *state.Validator
	Speed     float64
	// Patience multiplies the time each expect step allows (0 is 1):
	// scenario.Options.Patience.
	Patience float64
	// Chromium is the browser to run; "" looks for it.
	Chromium string
	// FailOnExtensionErrors makes an extension's uncaught exception or
	// console error fail its scenario; otherwise they are only reported.
	FailOnExtensionErrors bool
	// FailOnProblems makes the protocol problems of the extensions'
	// messages (host.MessageReport whose Diagnostic.IsProblem) fail their
	// scenario; otherwise they are only reported. Notes never fail it.
	FailOnProblems bool
	// Timeout bounds one scenario (default 5 minutes).
	Timeout time.Duration
	// SessionMemory is each scenario's session's memory budget in bytes
	// (host.Config.SessionMemory; 0 is its default).
	SessionMemory int64
	// Out hears the progress: a line per step, per diagnosed message and
	// per frame that did not load.
	Out io.Writer
	// Embed, when set, is the URL of a CRM page that embeds the panel
	// (cpsim test -embed): each scenario opens it, with ?devTenant= the
	// panel's base URL (EmbedURL), instead of the full panel, and plays in
	// the embedded panel's session, where an expect may name from: host.
	// CPC.js frames its tenantBaseUrl whatever devTenant says: such a CRM
	// needs the panel at that address (ListenOptions.Addr).
	// The CRM page's uncaught exceptions and console errors count as an
	// extension's do.
	Embed string
	// ConnectWithin bounds the wait for the page to connect and start
	// the scenario (default 30 s, times Patience): a CRM page that embeds
	// another panel than this cpsim's never does, and is told so rather
	// than waited for until Timeout.
	ConnectWithin time.Duration
}

// EmbedURL is the CRM page crm, opened with the query parameter
// devTenant set to the panel's base URL: CPC.js logs in there (CPC.load:
// "?devTenant=URL"), and cpsim's demo CRM, or any CRM that embeds the
// panel by hand, may frame the panel there too. CPC.js itself frames its
// tenantBaseUrl.
func EmbedURL(crm, panel string) (string, error) {
	u, err := url.Parse(crm)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("-embed %q is not an http(s) URL of a CRM page", crm)
	}
	q := u.Query()
	q.Set("devTenant", strings.TrimSuffix(panel, "/")+"/")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// Result is how one scenario went.
type Result struct {
	Scenario *scenario.Scenario
	Err      error // nil when it passed
	Duration time.Duration
	Steps    []scenario.Progress
	// ExtensionErrors are the extensions' uncaught exceptions and console
	// errors while it played.
	ExtensionErrors []string
	// Messages are the diagnosed messages of the extensions while it
	// played, problems and notes, in the order they came.
	Messages []host.MessageReport
	// FrameLoads are the extension frames that did not load, and why.
	FrameLoads []FrameLoad
}

// Passed reports whether the scenario passed.
func (r Result) Passed() bool { return r.Err == nil }

// Problems counts the protocol problems of the extensions' messages (one
// message may have several), which fail the
// scenario with Config.FailOnProblems.
func (r Result) Problems() int {
	n := 0
	for _, m := range r.Messages {
		if m.Diagnostic.IsProblem() {
			n++
		}
	}
	return n
}

// Run plays every scenario, in order, each in a page of its own, and
// returns how each went. Its error is about running at all (no Chromium),
// not about the scenarios. The scenarios must be read over st.Data.
func (st *Stack) Run(ctx context.Context, cfg Config, scenarios []*scenario.Scenario) ([]Result, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Minute
	}
	if cfg.Speed <= 0 {
		cfg.Speed = 1
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	chromium, err := FindChromium(cfg.Chromium)
	if err != nil {
		return nil, err
	}
	if err := st.serve(cfg, scenarios); err != nil {
		return nil, err
	}

	profile, err := NewProfile()
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, BrowserOptions(chromium, profile)...)
	defer cancelAlloc()
	// chromedp's own complaints go to the log, at debug level: among them
	// is one for each frame session of extensionErrors that ends, a
	// session chromedp did not open.
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithErrorf(func(format string, args ...any) {
		cfg.Logger.Debug("chromedp: " + fmt.Sprintf(format, args...))
	}))
	defer cancelBrowser()
	if err := chromedp.Do(bctx); err != nil {
		return nil, fmt.Errorf("start %s: %w", chromium, err)
	}

	var results []Result
	for _, sc := range scenarios {
		r := st.play(bctx, cfg, sc)
		results = append(results, r)
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
	}
	return results, nil
}

// Stack is cpsim on loopback ports: the panel on 127.0.0.1 and, when the
// data has no extension, the demos that behave well on localhost, another
// site. Listen first, read the scenarios over its Data, then Run.
type Stack struct {
	// Data is what cpsim runs with: the data given, with the demo
	// extensions that behave well when it has no extension.
	Data *state.Data

	st *server.Stack
}

// ListenOptions are where and what cpsim test serves.
type ListenOptions struct {
	// Addr is the panel's host:port; "" is a free port of 127.0.0.1. A
	// CRM page whose CPC.js frames a fixed tenantBaseUrl needs its port.
	Addr string
	// Demos serves the demos even when the data has extensions (cpsim
	// test -embed demo opens the demo CRM); with none they are loaded,
	// and served anyway.
	Demos bool
}

// Listen opens the ports cpsim will serve on.
func Listen(data *state.Data, o ListenOptions) (*Stack, error) {
	cfg := server.Config{Data: data, Demos: demo.Tested, Addr: o.Addr}
	if len(data.Extensions) == 0 || o.Demos {
		cfg.DemoAddr = "localhost:0"
	}
	st, err := server.Listen(cfg)
	if err != nil {
		return nil, err
	}
	return &Stack{Data: st.Data(), st: st}, nil
}

// PanelURL is where the panel is served: http://127.0.0.1:port.
func (st *Stack) PanelURL() string { return st.st.PanelURL() }

// DemoURL is where the demos are served (http://localhost:port), "" when
// they are not.
func (st *Stack) DemoURL() string { return st.st.DemoURL() }

// serve starts the panel, and the demos when they are used.
func (st *Stack) serve(cfg Config, scenarios []*scenario.Scenario) error {
	// No session limit: cpsim test opens one tab per scenario, and each
	// session is held for its grace after its tab closes, so a long run
	// would reach any limit; the tabs are the runner's own.
	return st.st.Start(host.Config{Logger: cfg.Logger, Validator: cfg.Validator, Scenarios: scenarios, MaxSessions: -1,
		SessionMemory: cfg.SessionMemory})
}

// Close stops cpsim and frees its ports.
func (st *Stack) Close() { st.st.Close() }

// play plays one scenario in a new tab.
func (st *Stack) play(bctx context.Context, cfg Config, sc *scenario.Scenario) Result {
	started := time.Now()
	rep := newReport(cfg, sc)
	done := make(chan error, 1)
	connected := make(chan struct{})
	var once sync.Once
	withdraw := st.st.Host().PlayInNextSession(sc, cfg.Speed, host.Watch{
		Progress: rep.progress,
		Message:  rep.message,
		Started:  func() { once.Do(func() { close(connected) }) },
		Done:     func(err error) { done <- err },
		Settle:   true,
		Patience: cfg.Patience,
	})
	// A scenario no page started (the tab did not open, or the CRM page
	// embedded another panel) leaves the queue: the next scenario's page
	// must not play it.
	defer withdraw()

	ctx, cancel := chromedp.NewContext(bctx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, cfg.Timeout)
	defer cancelTimeout()
	// The tab first, so that its frames are heard from the moment they
	// load.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
		return rep.finish(fmt.Errorf("open a tab: %w", err), time.Since(started), nil, nil)
	}
	if err := pauseNewFrames(ctx); err != nil {
		return rep.finish(fmt.Errorf("open a tab: %w", err), time.Since(started), nil, nil)
	}
	open := st.PanelURL() + "/"
	if cfg.Embed != "" {
		var err error
		if open, err = EmbedURL(cfg.Embed, st.PanelURL()); err != nil {
			return rep.finish(err, time.Since(started), nil, nil)
		}
	}
	tab := newTabWatch(st.PanelURL(), chromedp.FromContext(ctx).Target.TargetID)
	tab.errs.crm = cfg.Embed != ""
	wctx, stopWatch := context.WithCancel(ctx)
	var watching sync.WaitGroup
	wake := tab.listen(wctx)
	watching.Go(func() { tab.frames(wctx, wake) })
	defer func() {
		stopWatch()
		watching.Wait()
	}()

	var err error
	if nerr := chromedp.Do(ctx, chromedp.Navigate(open)); nerr != nil {
		err = fmt.Errorf("open %s: %w", open, nerr)
	} else {
		within := cfg.ConnectWithin
		if within <= 0 {
			within = 30 * time.Second
		}
		if cfg.Patience > 1 {
			within = time.Duration(float64(within) * cfg.Patience)
		}
		noPage := time.NewTimer(within)
		defer noPage.Stop()
		for waiting := true; waiting; {
			select {
			case err = <-done:
				waiting = false
			case <-connected:
				connected = nil // a nil channel: wait for done alone
				noPage.Stop()
			case <-noPage.C:
				err, waiting = noPageError(st.PanelURL(), cfg.Embed, within), false
			case <-ctx.Done():
				err, waiting = fmt.Errorf("%s: the scenario did not end within %s", sc.File, cfg.Timeout), false
			}
		}
	}
	took := time.Since(started)
	// The page has posted every delivery of the last steps (Watch.Settle);
	// let the frames handle them, so that what they throw is heard.
	sctx, cancelSettle := context.WithTimeout(ctx, host.SettleLimit)
	tab.settle(sctx)
	cancelSettle()
	return rep.finish(err, took, tab.loads.list(), tab.errs.list())
}

// noPageError says that no page of the panel at panel connected within
// the time given: with crm, the CRM page embedded another panel (CPC.js
// frames its tenantBaseUrl, whatever ?devTenant says) or none.
func noPageError(panel, crm string, within time.Duration) error {
	if crm == "" {
		return fmt.Errorf("the panel page at %s did not connect within %s", panel, within)
	}
	return fmt.Errorf("the CRM page %s did not embed this cpsim's panel (%s/) within %s: CPC.js frames <tenantBaseUrl>/embedded.html "+
		"whatever ?devTenant says, so run cpsim test with -addr set to the host:port of your CRM's tenantBaseUrl (and no other cpsim on it), "+
		"or let your CRM take tenantBaseUrl from ?devTenant, as cpsim's demo CRM does", crm, panel, within)
}

// clip is s for a line of the report, cut to n characters (not bytes: a
// character is never cut in half), its control characters shown.
func clip(s string, n int) string {
	s = visible(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-3]) + "..."
}

// visible is s with the characters that would change the terminal's line
// rather than show (C0 and C1 controls, an escape sequence's start, bidi
// controls such as the RTL override, zero-width spaces and joiners of
// words) written as ‹U+202E›, as the panel shows them: a scenario's text
// or an extension's message must not reverse or drive the CI log.
func visible(s string) string {
	if strings.IndexFunc(s, hidden) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			fmt.Fprintf(&b, "‹U+%04X›", r)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func hidden(r rune) bool {
	return (unicode.IsControl(r) && r != '\n' && r != '\t') || unicode.Is(unicode.Bidi_Control, r) ||
		r == '\u200b' || r == '\u2060' || r == '\ufeff'
}

func indent(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}
