// Package server assembles cpsim's servers: the panel (internal/host) on
// its listener and the demo extensions (internal/demo) on theirs, another
// site. cpsim, cpsim test (internal/runner) and the browser tests
// (internal/e2e) all run it, so that what is tested is what runs: the
// same listeners, public URLs, host names and origins, and shutdown.
//
// It runs in two steps, because the demo extensions' URL, and so the data
// the scenarios are read over, is known only once their port is open:
// Listen, then Start with the panel's configuration; Shutdown ends both.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/demo"
	"github.com/cpsim/cpsim/internal/extcheck"
	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/web"
)

// Config is where and what to serve.
type Config struct {
	Logger *slog.Logger // nil logs nothing
	// Addr is the panel's host:port; "" is 127.0.0.1:0, a free port that
	// only this machine reaches.
	Addr string
	// PanelURL is the URL a browser opens the panel at, when it differs
	// from Addr (behind a container's port mapping); "" derives it.
	PanelURL string
	// DemoAddr is the demo extensions' host:port; "" serves none. They
	// are served when Data has no extension, and then a DemoAddr already
	// taken (as by another cpsim) is left for another port of its host;
	// with extensions, a taken DemoAddr only means no demos.
	DemoAddr string
	// DemoURL is the URL a browser loads the demos from, when it differs
	// from DemoAddr; "" derives it.
	DemoURL string
	// AllowedHosts are host names (no scheme, no port) both listeners
	// answer to besides the loopback names and the hosts of the panel's and
	// the demos' URLs: a name a browser opens cpsim by that is none of
	// those, such as a machine's name behind a proxy.
	AllowedHosts []string
	// Data is the agent, queues and extensions; nil is config.Default().
	// Listen copies it.
	Data *state.Data
	// Demos are the extensions a panel with none loads, from the demos'
	// base URL; nil is demo.Extensions.
	Demos func(base string) []state.ExtensionData
	// Assets holds the panel page and the demos (web.Files(), or the web
	// directory on disk); nil is web.Files().
	Assets fs.FS
	// CheckExtensions checks the extensions' URLs as the panel loads them,
	// and shows the pages what is wrong (extcheck.Check).
	CheckExtensions bool
}

// AddrError is an address or URL of the Config that cannot be used: a
// mistake of whoever configured cpsim, as against one in running it.
type AddrError struct {
	Field string // the Config field: Addr, PanelURL, DemoAddr, DemoURL or AllowedHosts
	Err   error
}

func (e *AddrError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *AddrError) Unwrap() error { return e.Err }

// Stack is cpsim's listeners and, once started, its servers.
type Stack struct {
	log      *slog.Logger
	cfg      Config
	data     *state.Data
	panelLn  net.Listener
	panelURL string
	demoLn   net.Listener // nil when no demos are served
	demoURL  string
	hosts    []string // the host names both listeners answer to

	srv     *host.Server
	servers []*http.Server
	serving sync.WaitGroup // the servers' Serve calls
	failed  chan error     // the first Serve that failed
}

// Listen opens the panel's listener and, when they are served, the demo
// extensions', and completes the data with the demos when it has no
// extension.
func Listen(cfg Config) (*Stack, error) {
	st := &Stack{log: cfg.Logger, cfg: cfg, failed: make(chan error, 2)}
	if st.log == nil {
		st.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Data != nil {
		d := *cfg.Data
		d.Extensions = slices.Clone(d.Extensions)
		st.data = &d
	} else {
		d, err := config.Default()
		if err != nil {
			return nil, err
		}
		st.data = d
	}
	if err := st.listen(); err != nil {
		st.closeListeners()
		return nil, err
	}
	return st, nil
}

func (st *Stack) listen() error {
	for _, h := range st.cfg.AllowedHosts {
		if _, err := hostName(h); err != nil {
			return &AddrError{"AllowedHosts", err}
		}
	}
	addr := st.cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var err error
	if st.panelLn, err = net.Listen("tcp", addr); err != nil {
		return &AddrError{"Addr", err}
	}
	if st.panelURL, err = publicURL(st.cfg.PanelURL, addr, st.panelLn, "127.0.0.1"); err != nil {
		return &AddrError{"PanelURL", err}
	}
	needed := len(st.data.Extensions) == 0
	if st.demoLn, err = st.listenDemos(needed); err != nil {
		return &AddrError{"DemoAddr", err}
	}
	if st.demoLn != nil {
		if st.demoURL, err = publicURL(st.cfg.DemoURL, st.cfg.DemoAddr, st.demoLn, "localhost"); err != nil {
			return &AddrError{"DemoURL", err}
		}
	}
	st.hosts = allowedHosts(st.panelURL, st.demoURL, st.cfg.AllowedHosts)
	if needed {
		if st.demoURL == "" {
			return errors.New("no extension to load, and no demo extensions")
		}
		demos := st.cfg.Demos
		if demos == nil {
			demos = demo.Extensions
		}
		st.data.Extensions = demos(st.demoURL)
	}
	return nil
}

// listenDemos opens the demo extensions' listener, or says why there is
// none. When they are needed (the data has no extension) and their port is
// taken, as by another cpsim, they go on another port of the same host;
// when they are not needed, a taken port is no reason to stop.
func (st *Stack) listenDemos(needed bool) (net.Listener, error) {
	addr := st.cfg.DemoAddr
	if addr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err == nil {
		return ln, nil
	}
	if !needed {
		st.log.Warn("the demo extensions are not served: their address is taken", "addr", addr, "err", err)
		return nil, nil
	}
	h, _, splitErr := net.SplitHostPort(addr)
	if splitErr != nil {
		return nil, err
	}
	ln, err2 := net.Listen("tcp", net.JoinHostPort(h, "0"))
	if err2 != nil {
		return nil, err
	}
	st.log.Warn("the demo extensions' address is taken (another cpsim?); they are served on another port", "addr", addr, "err", err, "instead", ln.Addr().String())
	return ln, nil
}

// Data is what the panel runs with: the data given, with the demos when
// it had no extension. Read the scenarios over it.
func (st *Stack) Data() *state.Data { return st.data }

// PanelURL is where a browser opens the panel, without a trailing slash.
func (st *Stack) PanelURL() string { return st.panelURL }

// PanelAddr is the address the panel listens on, its port the one bound.
func (st *Stack) PanelAddr() net.Addr { return st.panelLn.Addr() }

// DemoURL is where a browser loads the demos from; "" when none are
// served.
func (st *Stack) DemoURL() string { return st.demoURL }

// DemoAddr is the address the demos listen on; nil when none are served.
func (st *Stack) DemoAddr() net.Addr {
	if st.demoLn == nil {
		return nil
	}
	return st.demoLn.Addr()
}

// Hosts are the host names the panel and the demos answer to (lower case,
// IPv6 without brackets); a request for any other is refused.
func (st *Stack) Hosts() []string { return slices.Clone(st.hosts) }

// Host is the panel, once started.
func (st *Stack) Host() *host.Server { return st.srv }

// Start builds the panel from hc and serves it and the demos. What hc
// leaves unset is the Stack's: its logger, data, assets, and a validator
// of its own; it always sets the host names the panel answers to (Hosts) and,
// with Config.CheckExtensions, the extension checks.
func (st *Stack) Start(hc host.Config) error {
	if hc.Logger == nil {
		hc.Logger = st.log
	}
	if hc.Data == nil {
		hc.Data = st.data
	}
	assets := st.cfg.Assets
	if assets == nil {
		assets = web.Files()
	}
	if hc.Assets == nil {
		hc.Assets = assets
	}
	if hc.Validator == nil {
		v, err := state.NewValidator()
		if err != nil {
			return err
		}
		hc.Validator = v
	}
	hc.Hosts = st.hosts
	if st.cfg.CheckExtensions {
		client := &http.Client{Timeout: 5 * time.Second}
		panelURL := st.panelURL
		hc.Check = func(ctx context.Context, url string) []host.Problem {
			return extcheck.Check(ctx, client, panelURL, url)
		}
		hc.CheckCRM = func(ctx context.Context, crm, url string) []host.Problem {
			return extcheck.CheckCRM(ctx, client, crm, url)
		}
	}
	srv, err := host.New(hc)
	if err != nil {
		return err
	}
	st.srv = srv
	errorLog := slog.NewLogLogger(hc.Logger.Handler(), slog.LevelWarn)
	st.serve(&http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errorLog}, st.panelLn)
	if st.demoLn != nil {
		files, err := fs.Sub(assets, "demo")
		if err != nil {
			return fmt.Errorf("the demo extensions: %w", err)
		}
		demos := host.CheckHost(st.hosts)(demo.New(files, panelOrigins(st.panelURL)))
		st.serve(&http.Server{Handler: demos, ReadHeaderTimeout: 10 * time.Second, ErrorLog: errorLog}, st.demoLn)
	}
	return nil
}

// serve serves hs on ln in a goroutine that Shutdown waits for.
func (st *Stack) serve(hs *http.Server, ln net.Listener) {
	st.servers = append(st.servers, hs)
	st.serving.Go(func() {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			st.failed <- err
		}
	})
}

// Wait waits for ctx to end, or for a server to fail, and returns the
// failure.
func (st *Stack) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case err := <-st.failed:
		return err
	}
}

// ShutdownTimeout is how long Close gives the pages to close.
const ShutdownTimeout = 5 * time.Second

// Shutdown ends the panel as it closes (every extension gets exit, every
// page is told), then the servers, and frees the ports. Its error says
// that pages did not close before ctx ended; the ports are freed anyway.
func (st *Stack) Shutdown(ctx context.Context) error {
	var err error
	if st.srv != nil {
		err = st.srv.Shutdown(ctx)
	}
	for _, hs := range st.servers {
		if serr := hs.Shutdown(ctx); serr != nil {
			_ = hs.Close()
		}
	}
	st.closeListeners()
	st.serving.Wait()
	return err
}

// Close is Shutdown within ShutdownTimeout, for a caller with nothing to
// say of pages that did not close in time but the log.
func (st *Stack) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := st.Shutdown(ctx); err != nil {
		st.log.Warn("pages did not close in time", "err", err)
	}
}

func (st *Stack) closeListeners() {
	for _, ln := range []net.Listener{st.panelLn, st.demoLn} {
		if ln != nil {
			ln.Close()
		}
	}
}

// publicURL is the URL a browser uses for a listener: the one given, or
// http:// with the configured host name (an unspecified address becomes
// def) and the port actually bound (so that port 0 works).
func publicURL(given, addr string, ln net.Listener, def string) (string, error) {
	if given != "" {
		u, err := url.Parse(given)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("%q is not an http:// or https:// URL", given)
		}
		return strings.TrimSuffix(given, "/"), nil
	}
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("%q is not host:port", addr)
	}
	if ip := net.ParseIP(h); h == "" || (ip != nil && ip.IsUnspecified()) {
		h = def
	}
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return "http://" + net.JoinHostPort(h, port), nil
}

// panelOrigins lists the origins a browser may open the panel at: its URL,
// and the other loopback name on the same port (the panel answers to both).
// Chromium refuses IPv6 literals in frame-ancestors, so [::1] is left out.
func panelOrigins(panelURL string) []string {
	u, _ := url.Parse(panelURL)
	origins := []string{u.Scheme + "://" + u.Host}
	if isLoopbackName(u.Hostname()) {
		for _, h := range []string{"127.0.0.1", "localhost"} {
			o := u.Scheme + "://" + h + ":" + u.Port()
			if o != origins[0] {
				origins = append(origins, o)
			}
		}
	}
	return origins
}

func isLoopbackName(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// allowedHosts are the host names both listeners answer to, as a defence
// against DNS rebinding: the loopback names, the hosts of the panel's and
// the demos' URLs, and the extra names given (Config.AllowedHosts, checked
// by hostName). It is the same list whatever the listeners are bound to: on
// 0.0.0.0 (in a container) a name the browser uses must be one of these
// too, so that a page elsewhere cannot rebind its name to the machine.
func allowedHosts(panelURL, demoURL string, extra []string) []string {
	hosts := []string{"127.0.0.1", "localhost", "::1"}
	add := func(h string) {
		if h != "" && !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	for _, raw := range []string{panelURL, demoURL} {
		if u, err := url.Parse(raw); err == nil && raw != "" {
			add(strings.ToLower(u.Hostname()))
		}
	}
	for _, h := range extra {
		n, _ := hostName(h) // checked in listen
		add(n)
	}
	return hosts
}

// hostName is h as a Host header's name compares to it (lower case, IPv6
// without brackets), or why it is not a host name: a name or an IP
// address, without scheme, port or path.
func hostName(h string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(h))
	if strings.HasPrefix(n, "[") && strings.HasSuffix(n, "]") {
		n = n[1 : len(n)-1]
	}
	if ip := net.ParseIP(n); ip != nil {
		return n, nil
	}
	ok := n != "" && len(n) <= 253 && !strings.HasPrefix(n, "-") && !strings.HasPrefix(n, ".")
	for _, c := range n {
		ok = ok && (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_')
	}
	if !ok {
		return "", fmt.Errorf("%q is not a host name: give a name or an IP address alone, without scheme, port or path, e.g. devbox.example", h)
	}
	return n, nil
}
