// Package e2e runs cpsim whole, in headless Chromium: the real panel page
// with its relay, the real demo extensions on another site, clicked as a
// developer clicks them.
//
// The tests need Chromium (Debian's chromium package, at /usr/bin/chromium,
// or wherever CPSIM_CHROMIUM says). They fail, not skip, without it: a
// browser test that quietly does not run proves nothing.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cpsim/cpsim/internal/demo"
	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/web"
)

// browserCtx is the one Chromium the tests share; each test opens its own
// tab in it.
var browserCtx context.Context

func TestMain(m *testing.M) {
	path := os.Getenv("CPSIM_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		fmt.Fprintf(os.Stderr, "the browser tests need Chromium at %s: install it (apt-get install -y chromium) or set CPSIM_CHROMIUM\n", path)
		os.Exit(1)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // the tests run as root in CI
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1440, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // start the browser now
		fmt.Fprintln(os.Stderr, "start Chromium:", err)
		os.Exit(1)
	}
	browserCtx = bctx
	code := m.Run()
	cancelBrowser()
	cancelAlloc()
	os.Exit(code)
}

// stack is cpsim as run by cmd/cpsim: the panel on 127.0.0.1 and the demo
// extensions on localhost, another site.
type stack struct {
	panel string // http://127.0.0.1:port
	demo  string // http://localhost:port
	srv   *host.Server
}

var sharedValidator = sync.OnceValue(func() *state.Validator {
	v, err := state.NewValidator()
	if err != nil {
		panic(err)
	}
	return v
})

// startStack runs cpsim with the extensions exts builds from the demos'
// base URL.
func startStack(t *testing.T, exts func(demo string) []state.ExtensionData) *stack {
	t.Helper()
	panelLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	demoLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	st := &stack{
		panel: "http://" + panelLn.Addr().String(),
		demo:  fmt.Sprintf("http://localhost:%d", demoLn.Addr().(*net.TCPAddr).Port),
	}
	data, err := state.DefaultData()
	if err != nil {
		t.Fatal(err)
	}
	data.Extensions = exts(st.demo)
	logs := io.Discard
	if os.Getenv("E2ELOG") != "" {
		logs = os.Stderr
	}
	st.srv, err = host.New(host.Config{
		Logger:    slog.New(slog.NewTextHandler(logs, nil)),
		Data:      data,
		Validator: sharedValidator(),
		Assets:    web.Files(),
		Strict:    true,
	})
	if err != nil {
		t.Fatal(err)
	}
	demoFiles, err := web.Demos()
	if err != nil {
		t.Fatal(err)
	}
	panelOrigins := []string{st.panel, strings.Replace(st.panel, "127.0.0.1", "localhost", 1)}
	servers := []*http.Server{{Handler: st.srv}, {Handler: demo.New(demoFiles, panelOrigins)}}
	go servers[0].Serve(panelLn)
	go servers[1].Serve(demoLn)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = st.srv.Shutdown(ctx)
		for _, s := range servers {
			_ = s.Shutdown(ctx)
		}
	})
	return st
}

// demoCard is the customer card, for every queue.
func demoCard(base string) []state.ExtensionData {
	return []state.ExtensionData{{Key: "customer-card", Text: "Customer card", URL: base + "/customer-card.html"}}
}

// tab opens the panel in a new tab of the shared browser.
func (st *stack) tab(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx, chromedp.Navigate(st.panel+"/")); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, `window.cpsim && window.cpsim.connected`)
	return ctx
}

// waitJS waits until a JavaScript expression is truthy in the page.
func waitJS(t *testing.T, ctx context.Context, expr string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr, chromedp.WithPollingInterval(20*time.Millisecond),
		chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", expr, err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// click clicks an element of the panel page.
func click(t *testing.T, ctx context.Context, css string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible)); err != nil {
		t.Fatalf("click %s: %v", css, err)
	}
}

// frame attaches to an extension's iframe, which Chromium runs in a process
// of its own since it is on another site, and returns a context for it.
func frame(t *testing.T, ctx context.Context, urlPrefix string) context.Context {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range targets {
			if ti.Type == "iframe" && strings.HasPrefix(ti.URL, urlPrefix) && ti.Attached {
				fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(ti.TargetID))
				t.Cleanup(cancel)
				return fctx
			}
		}
		if time.Now().After(deadline) {
			var seen []string
			for _, ti := range targets {
				seen = append(seen, string(ti.Type)+" "+ti.URL)
			}
			t.Fatalf("no iframe target at %s among %v", urlPrefix, seen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// logRows returns the inspector's rows from the page's test hook.
func logRows(t *testing.T, ctx context.Context) []map[string]any {
	t.Helper()
	data := eval[[]byte](t, ctx, `JSON.stringify(window.cpsim.log)`)
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(s), &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}
