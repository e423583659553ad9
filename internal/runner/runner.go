// Package runner runs scenarios headless, as extension tests: it starts
// cpsim on free loopback ports, loads the extensions in the panel page in
// headless Chromium, plays each scenario in a page of its own, and reports
// each step, the extensions' uncaught exceptions and console errors, and
// the result (cpsim test).
package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"

	"github.com/cpsim/cpsim/internal/demo"
	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/web"
)

// Config is how to run.
type Config struct {
	Logger    *slog.Logger
	Validator *state.Validator
	Speed     float64
	// Chromium is the browser to run; "" looks for it.
	Chromium string
	// FailOnExtensionErrors makes an extension's uncaught exception or
	// console error fail its scenario; otherwise they are only reported.
	FailOnExtensionErrors bool
	// Timeout bounds one scenario (default 5 minutes).
	Timeout time.Duration
	// Out hears the progress, a line per step.
	Out io.Writer
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
}

// Passed reports whether the scenario passed.
func (r Result) Passed() bool { return r.Err == nil }

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

// Stack is cpsim on loopback ports: the panel on 127.0.0.1 and the demos
// on localhost, another site. Listen first, read the scenarios over its
// Data, then Run.
type Stack struct {
	// Data is what cpsim runs with: the data given, with the demo
	// extensions that behave well when it has no extension.
	Data *state.Data

	panel   string
	panelLn net.Listener
	demoLn  net.Listener
	srv     *host.Server
	servers []*http.Server
}

// Listen opens the ports cpsim will serve on.
func Listen(data *state.Data) (*Stack, error) {
	panelLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d := *data
	st := &Stack{Data: &d, panel: "http://" + panelLn.Addr().String(), panelLn: panelLn}
	if len(d.Extensions) == 0 {
		if st.demoLn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			panelLn.Close()
			return nil, err
		}
		d.Extensions = demo.Tested(fmt.Sprintf("http://localhost:%d", st.demoLn.Addr().(*net.TCPAddr).Port))
	}
	return st, nil
}

// serve starts the panel, and the demos when they are used.
func (st *Stack) serve(cfg Config, scenarios []*scenario.Scenario) error {
	logger := cfg.Logger
	val := cfg.Validator
	if val == nil {
		var err error
		if val, err = state.NewValidator(); err != nil {
			return err
		}
	}
	var err error
	st.srv, err = host.New(host.Config{Logger: logger, Data: st.Data, Validator: val, Assets: web.Files(), Scenarios: scenarios})
	if err != nil {
		return err
	}
	st.servers = append(st.servers, &http.Server{Handler: st.srv})
	go st.servers[0].Serve(st.panelLn)
	if st.demoLn != nil {
		files, err := web.Demos()
		if err != nil {
			return err
		}
		origins := []string{st.panel, strings.Replace(st.panel, "127.0.0.1", "localhost", 1)}
		st.servers = append(st.servers, &http.Server{Handler: demo.New(files, origins)})
		go st.servers[1].Serve(st.demoLn)
	}
	return nil
}

// Close stops cpsim and frees its ports.
func (st *Stack) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if st.srv != nil {
		_ = st.srv.Shutdown(ctx)
	}
	for _, s := range st.servers {
		_ = s.Shutdown(ctx)
	}
	st.panelLn.Close()
	if st.demoLn != nil {
		st.demoLn.Close()
	}
}

// play plays one scenario in a new tab.
func (st *Stack) play(bctx context.Context, cfg Config, sc *scenario.Scenario) Result {
	res := Result{Scenario: sc}
	started := time.Now()
	fmt.Fprintf(cfg.Out, "%s: %s\n", sc.File, sc.Name)

	done := make(chan error, 1)
	var mu sync.Mutex
	st.srv.PlayInNextSession(sc, cfg.Speed, host.Watch{
		Progress: func(p scenario.Progress) {
			if p.Status == "running" {
				return
			}
			mu.Lock()
			res.Steps = append(res.Steps, p)
			mu.Unlock()
			mark := "ok  "
			if p.Status == "failed" {
				mark = "FAIL"
			}
			fmt.Fprintf(cfg.Out, "  %s %4d  %-60s %6.2fs\n", mark, p.Step.Line, clip(p.Step.Text, 60), p.Elapsed.Seconds())
		},
		Done: func(err error) { done <- err },
	})

	ctx, cancel := chromedp.NewContext(bctx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, cfg.Timeout)
	defer cancelTimeout()
	// The tab first, so that the errors of its frames are heard from the
	// moment they load.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1440, 900)); err != nil {
		res.Err = fmt.Errorf("open a tab: %w", err)
		return res
	}
	errs := newExtensionErrors(st.panel)
	go errs.watch(ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(st.panel+"/")); err != nil {
		res.Err = fmt.Errorf("open the panel: %w", err)
		return res
	}
	select {
	case err := <-done:
		res.Err = err
	case <-ctx.Done():
		res.Err = fmt.Errorf("%s: the scenario did not end within %s", sc.File, cfg.Timeout)
	}
	res.Duration = time.Since(started)
	time.Sleep(100 * time.Millisecond) // let errors of the last step arrive
	res.ExtensionErrors = errs.list()
	for _, e := range res.ExtensionErrors {
		fmt.Fprintf(cfg.Out, "  extension error: %s\n", e)
	}
	if res.Err == nil && cfg.FailOnExtensionErrors && len(res.ExtensionErrors) > 0 {
		res.Err = fmt.Errorf("%s: the extensions had %d uncaught exceptions or console errors", sc.File, len(res.ExtensionErrors))
	}
	if res.Err != nil {
		fmt.Fprintf(cfg.Out, "  %s\n", indent(res.Err.Error(), "  "))
		fmt.Fprintf(cfg.Out, "FAIL %s (%.1fs)\n\n", sc.File, res.Duration.Seconds())
	} else {
		fmt.Fprintf(cfg.Out, "PASS %s (%.1fs)\n\n", sc.File, res.Duration.Seconds())
	}
	return res
}

// extensionErrors collects the uncaught exceptions and console errors of
// the extensions in a tab. An extension is on another site than the panel,
// so Chromium runs it in a process of its own, a target of its own. For
// each, watch opens a session of the unflattened kind, which speaks through
// the browser's connection, and enables only the Runtime domain there.
// (chromedp's attach to a target also enables the DOM domain, and its first
// walk of a loading frame's document races with that frame's DOM events.)
// Enabling Runtime replays what the frame threw and logged before, so an
// extension that throws as it loads, or lives a moment only, is heard.
type extensionErrors struct {
	panel string // the panel's origin

	mu       sync.Mutex
	errs     []string
	sessions map[target.SessionID]string // the URL of each frame's session
}

func newExtensionErrors(panel string) *extensionErrors {
	return &extensionErrors{panel: panel, sessions: map[target.SessionID]string{}}
}

func (e *extensionErrors) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.errs) < 100 {
		e.errs = append(e.errs, s)
	}
}

func (e *extensionErrors) list() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.errs...)
}

// report records a Runtime event of a frame, whose URL is where, or of the
// tab (where is ""): there only an exception from another origin's script
// counts, one of an extension on the panel's own site.
func (e *extensionErrors) report(where string, ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		at := d.URL
		if at == "" {
			at = where
		}
		if where == "" && (at == "" || strings.HasPrefix(at, e.panel)) {
			return // the panel page's own
		}
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text = strings.SplitN(d.Exception.Description, "\n", 2)[0]
		}
		e.add(fmt.Sprintf("uncaught %s (%s:%d)", text, at, d.LineNumber+1))
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError || where == "" {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, strings.Trim(string(a.Value), `"`))
			} else {
				parts = append(parts, a.Description)
			}
		}
		e.add(fmt.Sprintf("console.error %s (%s)", strings.Join(parts, " "), where))
	}
}

// frameMessage hears what a frame's session says through the browser.
func (e *extensionErrors) frameMessage(ev any) {
	m, ok := ev.(*target.EventReceivedMessageFromTarget)
	if !ok {
		return
	}
	e.mu.Lock()
	where, ours := e.sessions[m.SessionID]
	e.mu.Unlock()
	if !ours {
		return
	}
	var msg struct {
		Method string          `json:"method"`
		Params json.RawMessage `json:"params"`
	}
	if json.Unmarshal([]byte(m.Message), &msg) != nil {
		return
	}
	var v any
	switch msg.Method {
	case "Runtime.exceptionThrown":
		v = new(runtime.EventExceptionThrown)
	case "Runtime.consoleAPICalled":
		v = new(runtime.EventConsoleAPICalled)
	default:
		return
	}
	if json.Unmarshal(msg.Params, v) == nil {
		e.report(where, v)
	}
}

// watch listens to the tab and to every extension frame that appears in
// it, until ctx ends.
func (e *extensionErrors) watch(ctx context.Context) {
	wake := make(chan struct{}, 1) // a frame appeared: look now
	_ = chromedp.Listen(ctx, func(ev any) {
		if _, ok := ev.(*target.EventAttachedToTarget); ok {
			select {
			case wake <- struct{}{}:
			default:
			}
			return
		}
		e.report("", ev)
	})
	_ = chromedp.ListenBrowser(ctx, e.frameMessage)
	c := chromedp.FromContext(ctx)
	seen := map[target.ID]bool{}
	for ctx.Err() == nil {
		if targets, err := chromedp.Targets(ctx); err == nil {
			for _, ti := range targets {
				if ti.Type != "iframe" || ti.ParentID != c.Target.TargetID || seen[ti.TargetID] {
					continue
				}
				seen[ti.TargetID] = true
				var res struct {
					SessionID target.SessionID `json:"sessionId"`
				}
				// Target.sendMessageToTarget is deprecated, and cdproto no
				// longer has it; Chromium still serves it.
				if c.Browser.Call(ctx, "Target.attachToTarget", map[string]any{"targetId": ti.TargetID, "flatten": false}, &res) != nil {
					continue
				}
				e.mu.Lock()
				e.sessions[res.SessionID] = ti.URL
				e.mu.Unlock()
				_ = c.Browser.Call(ctx, "Target.sendMessageToTarget", map[string]any{
					"sessionId": res.SessionID, "message": `{"id":1,"method":"Runtime.enable"}`}, nil)
			}
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

func indent(s, prefix string) string {
	return strings.ReplaceAll(s, "\n", "\n"+prefix)
}
