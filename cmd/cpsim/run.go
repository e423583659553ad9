package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/server"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/suggest"
	"github.com/cpsim/cpsim/internal/yamlx"
	"github.com/cpsim/cpsim/scenarios"
	"github.com/cpsim/cpsim/web"
)

// usageError is a mistake in how cpsim was called: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// parseFlags parses a command's flags: -help is flag.ErrHelp (exit 0), any
// other mistake a usageError (exit 2).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err}
}

// exitCode maps run's error to the process's exit code: 0 for success and
// -help, 2 for a wrong flag or file, 1 for anything else (such as a
// scenario that failed).
func exitCode(err error) int {
	var ue usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &ue):
		return 2
	}
	return 1
}

// parseSpeed reads -speed: a finite number above 0.
func parseSpeed(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return 0, usagef("-speed %q is not a number above 0", v)
	}
	return f, nil
}

// parsePatience reads -patience: a finite number of 1 or more, since
// patience lengthens the time an expect allows and never shortens it.
func parsePatience(v string) (float64, error) {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f >= 1) || math.IsInf(f, 0) {
		return 0, usagef("-patience %q is not a number of 1 or more", v)
	}
	return f, nil
}

// parseGrace reads -session-grace: a duration above 0.
func parseGrace(v string) (time.Duration, error) {
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, usagef("-session-grace %q is not a duration above 0, such as 5m or 1h", v)
	}
	return d, nil
}

// parseMaxSessions reads -max-sessions: a whole number of 1 or more.
func parseMaxSessions(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, usagef("-max-sessions %q is not a whole number of 1 or more", v)
	}
	return n, nil
}

// parseMemory reads a memory budget such as 32MiB, 512KiB or 2GiB
// (go-humanize's units; plain numbers are bytes): at least least bytes.
func parseMemory(name, v string, least int64) (int64, error) {
	n, err := humanize.ParseBytes(v)
	if err != nil || n < uint64(least) || n > 1<<50 {
		return 0, usagef("-%s %q is not a size of %s or more, such as 32MiB or 2GiB", name, v, humanize.IBytes(uint64(least)))
	}
	return int64(n), nil
}

// run is cpsim: main with its world passed in, so that tests run it whole.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && (args[0] == "-version" || args[0] == "--version") {
		return printVersion(args[1:], stdout)
	}
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		switch args[0] {
		case "version":
			return printVersion(args[1:], stdout)
		case "serve":
			args = args[1:]
		case "test":
			return test(ctx, args[1:], getenv, stdout, stderr)
		case "validate":
			return validate(args[1:], getenv, stdout, stderr)
		case "scenarios":
			return listScenarios(args[1:], stdout, stderr)
		case "help":
			args = []string{"-help"}
		default:
			return usagef("unknown command %q: the commands are serve (the default), test, validate, scenarios and version", args[0])
		}
	}
	return serve(ctx, args, getenv, stdout, stderr)
}

// options are serve's flags.
type options struct {
	addr, demoAddr     string
	demoAddrGiven      bool // -demo-addr or CPSIM_DEMO_ADDR was set
	panelURL, demoURL  string
	extensions, global listFlag
	allowedHosts       listFlag
	embedOrigins       []string // -embed-origin, normalized
	config             string
	logFormat          string
	logLevel           string
	strict             bool
	readyJSON          bool // -ready-json: where cpsim listens, as JSON on stdout
	seed               uint64
	dev                string
	scenario           string
	speed              float64
	patience           float64
	sessionGrace       time.Duration
	maxSessions        int
	sessionMemory      int64 // bytes
	serverMemory       int64 // bytes
}

func parseServe(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("cpsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := envLookup(getenv)
	fs.StringVar(&o.addr, "addr", env.str("CPSIM_ADDR", "127.0.0.1:8080"),
		"`host:port` the panel listens on (env CPSIM_ADDR), e.g. -addr 127.0.0.1:9000, or -addr 0.0.0.0:8080 in a container")
	fs.StringVar(&o.demoAddr, "demo-addr", env.str("CPSIM_DEMO_ADDR", "localhost:8081"),
		"`host:port` the demo extensions are served on, another site than the panel's; \"\" serves none (env CPSIM_DEMO_ADDR), e.g. -demo-addr localhost:9001")
	fs.StringVar(&o.panelURL, "panel-url", env.str("CPSIM_PANEL_URL", ""),
		"`URL` a browser opens the panel at, when it differs from -addr, as behind a container's port mapping (env CPSIM_PANEL_URL), e.g. -panel-url http://127.0.0.1:8080")
	fs.StringVar(&o.demoURL, "demo-url", env.str("CPSIM_DEMO_URL", ""),
		"`URL` a browser loads the demos from, when it differs from -demo-addr (env CPSIM_DEMO_URL), e.g. -demo-url http://localhost:8081")
	o.allowedHosts = env.list("CPSIM_ALLOWED_HOST")
	fs.Var(&o.allowedHosts, "allowed-host",
		"host `name` the panel and the demos also answer to, besides the loopback names and the hosts of -panel-url and -demo-url; any other is refused, a defence against DNS rebinding; repeatable (env CPSIM_ALLOWED_HOST, names separated by spaces or commas), e.g. -allowed-host devbox.example")
	o.extensions = env.list("CPSIM_EXTENSION")
	fs.Var(&o.extensions, "extension",
		"`URL` of an interaction-specific extension, loaded for every queue when an interaction is accepted; repeatable (env CPSIM_EXTENSION, URLs separated by spaces or commas), e.g. -extension http://localhost:3000/panel.html")
	o.global = env.list("CPSIM_GLOBAL")
	fs.Var(&o.global, "global",
		"`URL` of a global hidden extension, loaded from login to logout; repeatable (env CPSIM_GLOBAL), e.g. -global http://localhost:3000/recorder.html")
	fs.StringVar(&o.config, "config", env.str("CPSIM_CONFIG", ""),
		"YAML `file` with the agent, queues and extensions, see README (env CPSIM_CONFIG), e.g. -config cpsim.yaml")
	fs.StringVar(&o.logFormat, "log-format", env.str("CPSIM_LOG_FORMAT", "text"),
		"`format` of the log on standard error: text or json (env CPSIM_LOG_FORMAT), e.g. -log-format json")
	fs.StringVar(&o.logLevel, "log-level", env.str("CPSIM_LOG_LEVEL", "info"),
		"`level` of the log: debug, info, warn or error (env CPSIM_LOG_LEVEL), e.g. -log-level debug")
	fs.BoolVar(&o.readyJSON, "ready-json", env.flag("CPSIM_READY_JSON"),
		"once listening, print one line of JSON on standard output, {\"panel\": URL, \"demo\": URL (absent when no demos are served)}, instead of the sentence for people: for a program that starts cpsim on port 0, such as the npm package's startCpsim (env CPSIM_READY_JSON=true), e.g. -ready-json -addr 127.0.0.1:0")
	fs.BoolVar(&o.strict, "strict", env.flag("CPSIM_STRICT"),
		"also validate every message cpsim sends against the schema; slower, for cpsim's own development (env CPSIM_STRICT=true), e.g. -strict")
	seed := env.str("CPSIM_SEED", "0")
	fs.Func("seed", "`number` that makes interaction ids reproducible; 0 is random (env CPSIM_SEED), e.g. -seed 42", func(v string) error {
		seed = v
		return nil
	})
	fs.StringVar(&o.scenario, "scenario", env.str("CPSIM_SCENARIO", ""),
		"scenario `file` (or name from the library) to play in every new page session once the page connects (env CPSIM_SCENARIO), e.g. -scenario scenarios/chat.yaml")
	speed := env.str("CPSIM_SPEED", "1")
	fs.Func("speed", "`factor` that divides the waits of scenarios (env CPSIM_SPEED), e.g. -speed 10", func(v string) error {
		speed = v
		return nil
	})
	patience := env.str("CPSIM_PATIENCE", "1")
	fs.Func("patience", "`factor` that multiplies the time each expect of a scenario played in the page allows, for a machine too busy to meet their within (env CPSIM_PATIENCE), e.g. -patience 3", func(v string) error {
		patience = v
		return nil
	})
	grace := env.str("CPSIM_SESSION_GRACE", host.DefaultSessionGrace.String())
	fs.Func("session-grace", "`duration` a page's session outlives the page, for a reload or a dropped connection to resume it; then it ends and frees its memory (env CPSIM_SESSION_GRACE; default "+
		host.DefaultSessionGrace.String()+"), e.g. -session-grace 30m", func(v string) error {
		grace = v
		return nil
	})
	maxSessions := env.str("CPSIM_MAX_SESSIONS", strconv.Itoa(host.DefaultMaxSessions))
	fs.Func("max-sessions", "`number` of page sessions held at once, each tab's until its grace ends; a page past it is refused and told why (env CPSIM_MAX_SESSIONS; default "+
		strconv.Itoa(host.DefaultMaxSessions)+"), e.g. -max-sessions 500", func(v string) error {
		maxSessions = v
		return nil
	})
	sessionMemory := env.str("CPSIM_SESSION_MEMORY", humanize.IBytes(host.DefaultSessionMemory))
	fs.Func("session-memory", "`size` of the messages a page's session holds at most: its log, its extensions' caches and what waits for the page; past it the oldest go, and the inspector says so (env CPSIM_SESSION_MEMORY; default "+
		humanize.IBytes(host.DefaultSessionMemory)+"), e.g. -session-memory 128MiB", func(v string) error {
		sessionMemory = v
		return nil
	})
	memory := env.str("CPSIM_MEMORY", humanize.IBytes(host.DefaultServerMemory))
	fs.Func("memory", "`size` of the messages all sessions hold together at most; past it each keeps its share (env CPSIM_MEMORY; default "+
		humanize.IBytes(host.DefaultServerMemory)+"), e.g. -memory 4GiB", func(v string) error {
		memory = v
		return nil
	})
	embedOrigins := env.list("CPSIM_EMBED_ORIGIN")
	fs.Var(&embedOrigins, "embed-origin",
		"`origin` of a CRM page that may embed the panel (CPC.js) and call its authentication and RI endpoints; repeatable; default any loopback origin (env CPSIM_EMBED_ORIGIN, origins separated by spaces or commas), e.g. -embed-origin https://crm.example.com")
	fs.StringVar(&o.dev, "dev", env.str("CPSIM_DEV", ""),
		"`directory` to serve the page and demos from instead of the binary, to work on them (env CPSIM_DEV), e.g. -dev web")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageText)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected argument %q: flags start with -", fs.Arg(0))
	}
	o.demoAddrGiven = getenv("CPSIM_DEMO_ADDR") != ""
	fs.Visit(func(f *flag.Flag) { o.demoAddrGiven = o.demoAddrGiven || f.Name == "demo-addr" })
	n, err := strconv.ParseUint(seed, 10, 64)
	if err != nil {
		return nil, usagef("-seed %q is not a whole number", seed)
	}
	o.seed = n
	for _, v := range embedOrigins.values {
		origin, err := host.NormalizeOrigin(v)
		if err != nil {
			return nil, usagef("-embed-origin: %w", err)
		}
		o.embedOrigins = append(o.embedOrigins, origin)
	}
	if o.patience, err = parsePatience(patience); err != nil {
		return nil, err
	}
	if o.speed, err = parseSpeed(speed); err != nil {
		return nil, err
	}
	if o.sessionGrace, err = parseGrace(grace); err != nil {
		return nil, err
	}
	if o.maxSessions, err = parseMaxSessions(maxSessions); err != nil {
		return nil, err
	}
	if o.sessionMemory, err = parseMemory("session-memory", sessionMemory, 1<<20); err != nil {
		return nil, err
	}
	if o.serverMemory, err = parseMemory("memory", memory, o.sessionMemory); err != nil {
		return nil, err
	}
	switch o.logFormat {
	case "text", "json":
	default:
		return nil, usagef("-log-format %q: use text or json", o.logFormat)
	}
	for _, u := range append(slices.Clone(o.extensions.values), o.global.values...) {
		if err := state.CheckExtensionURL(u); err != nil {
			return nil, usagef("extension %v", err)
		}
	}
	return o, nil
}

const usageText = `cpsim simulates the Sinch Contact Center Communication Panel, so that a
third-party extension can be developed, demonstrated and tested without a
contact center.

Usage:
  cpsim [flags]              serve the panel (this page)
  cpsim test [flags] FILE... run scenarios headless, as extension tests (cpsim test -help)
  cpsim validate FILE...     check scenario files without running them
  cpsim scenarios            list the built-in scenarios
  cpsim version              print the version, commit and its date (also -version)

With no flags it serves the panel on http://127.0.0.1:8080 with the built-in
demo extensions. Point it at your own extension with -extension:

  cpsim -extension http://localhost:3000/panel.html

Every flag can also be set in the environment: -addr as CPSIM_ADDR,
-extension as CPSIM_EXTENSION (URLs separated by spaces or commas), and so on.

Flags:
`

// serve runs the panel until ctx ends.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseServe(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := newLogger(o, stderr)

	assets := web.Files()
	if o.dev != "" {
		// Through an os.Root, nothing outside the directory can be
		// served: not a symlink that leads out of it, nor "..".
		root, err := os.OpenRoot(o.dev)
		if err != nil {
			return usagef("-dev: %w (give the repository's web directory)", err)
		}
		defer root.Close()
		assets = root.FS()
		if _, err := fs.Stat(assets, "host.html"); err != nil {
			return usagef("-dev %s: %w (give the repository's web directory)", o.dev, err)
		}
	}
	data, err := baseData(o.config)
	if err != nil {
		return err
	}
	addExtensions(data, o.extensions.values, state.ModeInteraction)
	addExtensions(data, o.global.values, state.ModeGlobal)
	demoAddr := o.demoAddr
	switch {
	case len(data.Extensions) == 0 && demoAddr == "":
		return usagef("no extension to load: give -extension URL, a -config with extensions, or keep the demos (-demo-addr)")
	case len(data.Extensions) > 0 && demoAddr != "" && !o.demoAddrGiven:
		log.Info("the demo extensions are not served, since extensions are given (-demo-addr " + demoAddr + " serves them too)")
		demoAddr = ""
	}

	st, err := server.Listen(server.Config{
		Logger:          log,
		Addr:            o.addr,
		PanelURL:        o.panelURL,
		DemoAddr:        demoAddr,
		DemoURL:         o.demoURL,
		AllowedHosts:    o.allowedHosts.values,
		Data:            data,
		Assets:          assets,
		CheckExtensions: true,
	})
	if err != nil {
		return flagError(err)
	}
	defer st.Close()
	data = st.Data()
	if err := data.Check(o.config); err != nil {
		return usageError{err}
	}

	library, skipped := loadLibrary(data)
	for _, s := range skipped {
		log.Info(s.Error())
	}
	var autoPlay *scenario.Scenario
	if o.scenario != "" {
		if autoPlay, err = findOrSkipped(o.scenario, library, skipped, data); err != nil {
			return usageError{err}
		}
	}

	if err := st.Start(host.Config{
		Dev:       o.dev != "",
		Strict:    o.strict,
		Seed:      o.seed,
		Scenarios: library,
		Skipped:   skipped,
		AutoPlay:  autoPlay,
		Speed:     o.speed,
		Patience:  o.patience,

		SessionGrace:  o.sessionGrace,
		MaxSessions:   o.maxSessions,
		SessionMemory: o.sessionMemory,
		ServerMemory:  o.serverMemory,
		EmbedOrigins:  o.embedOrigins,
		Version:       buildInfo().Version,
	}); err != nil {
		return err
	}

	addr := st.PanelAddr()
	log.Info("panel listening", "addr", addr.String(), "url", st.PanelURL())
	if demo := st.DemoAddr(); demo != nil {
		log.Info("demo extensions listening", "addr", demo.String(), "url", st.DemoURL())
	}
	if beyondLoopback(addr) || beyondLoopback(st.DemoAddr()) {
		log.Warn("cpsim listens beyond this machine (fine in a container; -addr 127.0.0.1:8080 keeps it local); "+
			"it answers only to the host names listed and refuses any other, as a defence against DNS rebinding: "+
			"to open it to others, give the URL they open as -panel-url and -demo-url, or a name as -allowed-host",
			"hosts", strings.Join(st.Hosts(), " "))
	}
	log.Info("CRM pages that may embed the panel: "+host.EmbedOriginsText(o.embedOrigins),
		"url", st.PanelURL()+"/ecf/latest/communicationpanel/embedded.html")
	if demo := st.DemoAddr(); demo != nil {
		log.Info("a demo CRM that embeds the panel", "url", st.DemoURL()+"/crm.html?tenant="+url.QueryEscape(st.PanelURL()+"/"))
	}
	for _, e := range data.Extensions {
		log.Info("extension", "key", e.Key, "mode", modeOf(e), "url", e.URL)
	}
	if err := printReady(stdout, o.readyJSON, st); err != nil {
		return err
	}

	st.Host().CheckExtensions()
	err = st.Wait(ctx)
	log.Info("shutting down")
	return err // the deferred Close shuts down
}

// printReady tells that cpsim is listening, and where: a sentence for
// people, or with -ready-json one line of JSON for a program that started
// cpsim on port 0, {"panel": "http://127.0.0.1:PORT", "demo":
// "http://localhost:PORT"}, with no demo when none are served. Whoever
// waits for it reads it as the sign that cpsim serves.
func printReady(stdout io.Writer, asJSON bool, st *server.Stack) error {
	if !asJSON {
		fmt.Fprintf(stdout, "cpsim is running: open %s/ in a browser (Ctrl-C stops it)\n", st.PanelURL())
		return nil
	}
	ready := struct {
		Panel string `json:"panel"`
		Demo  string `json:"demo,omitempty"`
	}{Panel: st.PanelURL()}
	if st.DemoAddr() != nil {
		ready.Demo = st.DemoURL()
	}
	line, err := json.Marshal(ready)
	if err != nil {
		return fmt.Errorf("-ready-json: %w", err)
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		return fmt.Errorf("-ready-json: %w", err)
	}
	return nil
}

// flagError is a listening error of the server as a usage error that
// names the flag at fault.
func flagError(err error) error {
	var ae *server.AddrError
	if !errors.As(err, &ae) {
		return err
	}
	flags := map[string]string{"Addr": "-addr", "PanelURL": "-panel-url", "DemoAddr": "-demo-addr", "DemoURL": "-demo-url", "AllowedHosts": "-allowed-host"}
	return usagef("%s: %v", flags[ae.Field], ae.Err)
}

// beyondLoopback tells whether a listener's address reaches beyond this
// machine (0.0.0.0, or an interface's address).
func beyondLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && !tcp.IP.IsLoopback()
}

func newLogger(o *options, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		level = slog.LevelInfo
	}
	hopts := &slog.HandlerOptions{Level: level}
	if o.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, hopts))
	}
	return slog.New(slog.NewTextHandler(w, hopts))
}

// addExtensions adds the extensions given by flag, keyed by the last part
// of their URL's path.
func addExtensions(d *state.Data, urls []string, mode state.Mode) {
	for _, u := range urls {
		key := keyFor(u)
		taken := func(k string) bool {
			for _, e := range d.Extensions {
				if e.Key == k {
					return true
				}
			}
			return false
		}
		for i := 2; taken(key); i++ {
			key = keyFor(u) + "-" + strconv.Itoa(i)
		}
		d.Extensions = append(d.Extensions, state.ExtensionData{Key: key, Text: key, URL: u, Mode: string(mode)})
	}
}

func keyFor(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "extension"
	}
	base := strings.TrimSuffix(path.Base(p.Path), path.Ext(p.Path))
	if base == "" || base == "." || base == "/" || base == "index" {
		base = p.Hostname()
	}
	return base
}

func modeOf(e state.ExtensionData) string {
	if e.Mode == "" {
		return string(state.ModeInteraction)
	}
	return e.Mode
}

// env reads flag defaults from the environment.
type envLookup func(string) string

func (env envLookup) str(name, def string) string {
	if v := env(name); v != "" {
		return v
	}
	return def
}

func (env envLookup) flag(name string) bool {
	v, err := strconv.ParseBool(env(name))
	return err == nil && v
}

func (env envLookup) list(name string) listFlag {
	return listFlag{values: strings.Fields(strings.ReplaceAll(env(name), ",", " "))}
}

// listFlag is a repeatable flag. Given on the command line, it replaces
// what the environment said rather than adding to it.
type listFlag struct {
	values []string
	given  bool
}

func (l *listFlag) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(l.values, " ")
}

func (l *listFlag) Set(v string) error {
	if !l.given {
		l.values, l.given = nil, true
	}
	l.values = append(l.values, v)
	return nil
}

// loadLibrary reads the embedded scenarios over the data cpsim runs with.
// Those that do not fit it (a -config with queues of its own) are left
// out and returned, to be told of: the library never stops cpsim.
func loadLibrary(data *state.Data) ([]*scenario.Scenario, []scenario.Skipped) {
	return scenario.ParseLibrary(scenarios.Files(), data)
}

// findOrSkipped is findScenario, which also explains a built-in scenario
// the user names that was left out of the library, rather than saying
// there is none of that name.
func findOrSkipped(arg string, library []*scenario.Scenario, skipped []scenario.Skipped, data *state.Data) (*scenario.Scenario, error) {
	sc, err := findScenario(arg, library, data)
	if err == nil {
		return sc, nil
	}
	if _, statErr := os.Stat(arg); errors.Is(statErr, fs.ErrNotExist) {
		for _, s := range skipped {
			if s.Named(arg) {
				return nil, s
			}
		}
	}
	return nil, err
}

// findScenario reads a scenario file, or finds one of the library by its
// name or file name (with or without .yaml).
func findScenario(arg string, library []*scenario.Scenario, data *state.Data) (*scenario.Scenario, error) {
	if src, err := yamlx.ReadFile(arg); err == nil {
		return scenario.Parse(arg, src, data)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	for _, sc := range library {
		if sc.Name == arg || sc.File == arg || strings.TrimSuffix(sc.File, ".yaml") == arg {
			return sc, nil
		}
	}
	var names []string
	for _, sc := range library {
		names = append(names, strings.TrimSuffix(sc.File, ".yaml"))
	}
	if c, ok := suggest.Closest(strings.TrimSuffix(filepath.Base(arg), ".yaml"), names); ok {
		return nil, fmt.Errorf("%s: no such file, and no built-in scenario of that name (did you mean %s?)", arg, c)
	}
	return nil, fmt.Errorf("%s: no such file, and no built-in scenario of that name (they are %s)", arg, strings.Join(names, ", "))
}
