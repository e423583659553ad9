package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/demo"
	"github.com/cpsim/cpsim/internal/extcheck"
	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/runner"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/yamlx"
)

// failedError is a run whose scenarios did not all pass: exit code 1.
type failedError struct{ failed, total int }

func (e failedError) Error() string {
	return fmt.Sprintf("%d of %d scenarios failed", e.failed, e.total)
}

// baseData is the data a scenario is read over: -config's, or the
// built-in one.
func baseData(file string) (*state.Data, error) {
	if file == "" {
		return config.Default()
	}
	src, err := yamlx.ReadFile(file)
	if err != nil {
		return nil, usageError{err}
	}
	d, err := config.Parse(file, src)
	if err != nil {
		return nil, usageError{err}
	}
	return d, nil
}

// validate checks scenario files without running them, and tells every
// mistake of each, one a line.
func validate(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	env := envLookup(getenv)
	fs := flag.NewFlagSet("cpsim validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	config := fs.String("config", env.str("CPSIM_CONFIG", ""),
		"YAML `file` whose queues, profiles and extensions the scenarios may name (env CPSIM_CONFIG), e.g. -config cpsim.yaml")
	extensions, global := env.list("CPSIM_EXTENSION"), env.list("CPSIM_GLOBAL")
	fs.Var(&extensions, "extension", "`URL` of an extension the scenarios will run with, as cpsim test takes it, so that expect steps may name it with from: (env CPSIM_EXTENSION), e.g. -extension http://localhost:3000/panel.html")
	fs.Var(&global, "global", "`URL` of a global extension, the same way (env CPSIM_GLOBAL), e.g. -global http://localhost:3000/recorder.html")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage:\n  cpsim validate [-config FILE] [-extension URL] SCENARIO.yaml...\n\nChecks scenario files without running them, and tells every mistake of each.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("give the scenario files to check")
	}
	for _, u := range append(slices.Clone(extensions.values), global.values...) {
		if err := state.CheckExtensionURL(u); err != nil {
			return usagef("extension %v", err)
		}
	}
	data, err := baseData(*config)
	if err != nil {
		return err
	}
	addExtensions(data, extensions.values, state.ModeInteraction)
	addExtensions(data, global.values, state.ModeGlobal)
	if len(data.Extensions) == 0 {
		// cpsim then loads its demos: expectations may name them.
		data.Extensions = demo.Extensions("http://localhost:8081")
	}
	bad, mistakes := 0, 0
	for _, file := range fs.Args() {
		src, err := yamlx.ReadFile(file)
		if err == nil {
			var sc *scenario.Scenario
			if sc, err = scenario.Parse(file, src, data); err == nil {
				fmt.Fprintf(stdout, "%s: ok, %d steps (%s)\n", file, len(sc.Steps), sc.Name)
				continue
			}
		}
		bad++
		var errs yamlx.Errors
		if errors.As(err, &errs) {
			mistakes += len(errs)
		} else {
			mistakes++
		}
		fmt.Fprintln(stderr, err)
	}
	if bad > 0 {
		files := "files are not valid scenarios"
		if fs.NArg() == 1 {
			files = "file is not a valid scenario"
		}
		plural := "s"
		if mistakes == 1 {
			plural = ""
		}
		return usagef("%d of %d %s (%d mistake%s)", bad, fs.NArg(), files, mistakes, plural)
	}
	return nil
}

// listScenarios lists the built-in scenarios.
func listScenarios(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cpsim scenarios", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage:\n  cpsim scenarios\n\nLists the built-in scenarios, which cpsim test and -scenario take by name.\n")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	data, err := config.Default()
	if err != nil {
		return err
	}
	library, skipped := loadLibrary(data)
	for _, sc := range library {
		fmt.Fprintf(stdout, "%-20s %s (%d steps)\n%-20s %s\n", strings.TrimSuffix(sc.File, ".yaml"), sc.Name, len(sc.Steps), "", sc.Description)
	}
	for _, s := range skipped {
		fmt.Fprintln(stderr, s)
	}
	return nil
}

const testUsage = `Usage:
  cpsim test [flags] SCENARIO...

Runs scenarios headless, as tests of an extension: cpsim starts on free
loopback ports, headless Chromium loads the extension in the panel, and each
scenario plays in a page of its own; its expectations are checked, and the
extension's protocol problems, frames that did not load, uncaught exceptions
and console errors reported. On a busy CI machine, -patience 3 gives every
expect three times its within (a passing expect does not wait longer).

First it waits for each extension URL to answer (-wait), as for a dev server
started just before, and checks each as the panel will load it (the server
answers, and no X-Frame-Options or Content-Security-Policy frame-ancestors
refuses the panel).

A SCENARIO is a file, or the name of a built-in one (cpsim scenarios lists
them). With no -extension, the demo extensions are loaded. Exit status: 0
when every scenario passes, 1 when one fails, 2 when a file or flag is wrong,
an extension URL does not answer within -wait, or Chromium cannot run.

  cpsim test -extension http://localhost:3000/panel.html tests/*.yaml

With -embed URL the scenarios play in the panel that a CRM page embeds:
each opens the CRM page with ?devTenant=<the panel's URL>, and an expect
may name the CRM's messages with from: host. CPC.js logs in at devTenant
but frames <tenantBaseUrl>/embedded.html: give -addr the host:port of your
CRM's tenantBaseUrl (no other cpsim may listen there), or let your CRM take
tenantBaseUrl from ?devTenant in development, as cpsim's demo CRM does
(-embed demo).

  cpsim test -addr 127.0.0.1:8080 -embed http://localhost:3000/crm.html tests/crm/*.yaml

Flags:
`

// test runs scenarios headless.
func test(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	env := envLookup(getenv)
	fs := flag.NewFlagSet("cpsim test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	extensions, global := env.list("CPSIM_EXTENSION"), env.list("CPSIM_GLOBAL")
	fs.Var(&extensions, "extension", "`URL` of the interaction-specific extension to test, for every queue; repeatable (env CPSIM_EXTENSION), e.g. -extension http://localhost:3000/panel.html")
	fs.Var(&global, "global", "`URL` of a global hidden extension; repeatable (env CPSIM_GLOBAL), e.g. -global http://localhost:3000/recorder.html")
	config := fs.String("config", env.str("CPSIM_CONFIG", ""), "YAML `file` with the agent, queues and extensions (env CPSIM_CONFIG), e.g. -config cpsim.yaml")
	speedText := fs.String("speed", env.str("CPSIM_SPEED", "1"), "`factor` that divides the scenarios' waits (env CPSIM_SPEED), e.g. -speed 10")
	patienceText := fs.String("patience", env.str("CPSIM_PATIENCE", "1"),
		"`factor` that multiplies the time each expect allows, for a CI machine too busy to meet the scenarios' within; it only delays a failure (env CPSIM_PATIENCE), e.g. -patience 3")
	junit := fs.String("junit", env.str("CPSIM_JUNIT", ""), "also write the results as JUnit XML to `file` (env CPSIM_JUNIT), e.g. -junit results.xml")
	errorsMode := fs.String("extension-errors", env.str("CPSIM_EXTENSION_ERRORS", "fail"),
		"`mode` for the extension's uncaught exceptions and console errors: fail the scenario, or report them only (env CPSIM_EXTENSION_ERRORS), e.g. -extension-errors report")
	problemsMode := fs.String("problems", env.str("CPSIM_PROBLEMS", "fail"),
		"`mode` for the protocol problems of the extension's messages (unknown commands and values, schema violations, malformed or refused messages, messages the panel dropped): fail the scenario, or report them only (env CPSIM_PROBLEMS), e.g. -problems report")
	waitText := fs.String("wait", env.str("CPSIM_WAIT", "30s"),
		"longest `duration` to wait for the extension URLs to answer before Chromium starts, as for a dev server started just before; 0 does not wait (env CPSIM_WAIT), e.g. -wait 2m")
	chromium := fs.String("chromium", env.str("CPSIM_CHROMIUM", ""), "`path` of the Chromium to run (env CPSIM_CHROMIUM), e.g. -chromium /usr/bin/chromium")
	timeout := fs.Duration("timeout", 5*time.Minute, "longest a scenario may run (env: none), e.g. -timeout 2m")
	memoryText := fs.String("session-memory", env.str("CPSIM_SESSION_MEMORY", humanize.IBytes(host.DefaultSessionMemory)),
		"`size` of the messages each scenario's session holds at most; past it the oldest go, and what an extension lost is printed (env CPSIM_SESSION_MEMORY), e.g. -session-memory 128MiB")
	embed := fs.String("embed", env.str("CPSIM_EMBED", ""),
		"`URL` of a CRM page that embeds the panel (with CPC.js or by hand): each scenario opens it with ?devTenant=<the panel's URL> and plays in its embedded panel, where expect may name from: host; demo is cpsim's demo CRM (env CPSIM_EMBED), e.g. -embed http://localhost:3000/crm.html")
	addr := fs.String("addr", env.str("CPSIM_TEST_ADDR", "127.0.0.1:0"),
		"`host:port` the panel listens on; with -embed, the one your CRM's tenantBaseUrl names, since CPC.js frames it whatever ?devTenant says (env CPSIM_TEST_ADDR), e.g. -addr 127.0.0.1:8080")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), testUsage)
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("give the scenarios to run: files, or names of built-in ones (cpsim scenarios lists them)")
	}
	speed, err := parseSpeed(*speedText)
	if err != nil {
		return err
	}
	patience, err := parsePatience(*patienceText)
	if err != nil {
		return err
	}
	if *errorsMode != "fail" && *errorsMode != "report" {
		return usagef("-extension-errors %q: use fail or report", *errorsMode)
	}
	if *problemsMode != "fail" && *problemsMode != "report" {
		return usagef("-problems %q: use fail or report", *problemsMode)
	}
	sessionMemory, err := parseMemory("session-memory", *memoryText, 1<<20)
	if err != nil {
		return err
	}
	wait, err := time.ParseDuration(*waitText)
	if err != nil || wait < 0 {
		return usagef("-wait %q is not a duration of 0 or more, such as 30s or 2m", *waitText)
	}
	for _, u := range append(slices.Clone(extensions.values), global.values...) {
		if err := state.CheckExtensionURL(u); err != nil {
			return usagef("extension %v", err)
		}
	}
	data, err := baseData(*config)
	if err != nil {
		return err
	}
	addExtensions(data, extensions.values, state.ModeInteraction)
	addExtensions(data, global.values, state.ModeGlobal)
	demos := len(data.Extensions) == 0 // served by cpsim test itself
	if *embed != "" && *embed != "demo" {
		if _, err := runner.EmbedURL(*embed, "http://127.0.0.1"); err != nil {
			return usageError{err}
		}
	}
	// Listen first: with no extension the demos are loaded, at an address
	// known only now, and the scenarios are read over the final data.
	st, err := runner.Listen(data, runner.ListenOptions{Addr: *addr, Demos: *embed == "demo"})
	if err != nil {
		return err
	}
	defer st.Close()
	crm := *embed
	if crm == "demo" {
		crm = st.DemoURL() + "/crm.html"
	}
	library, skipped := loadLibrary(st.Data)
	var plays []*scenario.Scenario
	for _, arg := range fs.Args() {
		sc, err := findOrSkipped(arg, library, skipped, st.Data)
		if err != nil {
			return usageError{err}
		}
		plays = append(plays, sc)
	}
	// Chromium is looked for once the scenarios are known to be right, so
	// that a file's mistakes are told of on a machine without it.
	if _, err := runner.FindChromium(*chromium); err != nil {
		return usageError{err}
	}
	if !demos {
		if err := prepareExtensions(ctx, st, wait, stdout); err != nil {
			return err
		}
	}
	if crm != "" && *embed != "demo" && wait > 0 {
		if err := runner.WaitForURLs(ctx, []string{crm}, wait, stdout); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return usageError{err}
		}
	}

	results, err := st.Run(ctx, runner.Config{
		Speed:                 speed,
		Patience:              patience,
		Chromium:              *chromium,
		FailOnExtensionErrors: *errorsMode == "fail",
		FailOnProblems:        *problemsMode == "fail",
		Timeout:               *timeout,
		SessionMemory:         sessionMemory,
		Out:                   stdout,
		Embed:                 crm,
	}, plays)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		if !r.Passed() {
			failed++
		}
	}
	noun := "scenarios"
	if len(results) == 1 {
		noun = "scenario"
	}
	fmt.Fprintf(stdout, "%d %s: %d passed, %d failed\n", len(results), noun, len(results)-failed, failed)
	if *junit != "" {
		f, err := os.Create(*junit)
		if err != nil {
			return err
		}
		if err := runner.WriteJUnit(f, results); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if failed > 0 {
		return failedError{failed, len(results)}
	}
	return nil
}

// prepareExtensions waits for the extension URLs to answer, for at most
// wait, then runs serve's start-up check on them and prints what it finds:
// before Chromium starts, so that an extension that cannot load is named
// with its cause rather than only as an init that never came. A URL that
// never answers stops the run as a usage error (exit code 2): the setup is
// wrong, not the extension.
func prepareExtensions(ctx context.Context, st *runner.Stack, wait time.Duration, stdout io.Writer) error {
	var urls []string
	for _, e := range st.Data.Extensions {
		if !slices.Contains(urls, e.URL) {
			urls = append(urls, e.URL)
		}
	}
	if wait > 0 {
		if err := runner.WaitForURLs(ctx, urls, wait, stdout); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return usageError{err}
		}
	}
	problems := extcheck.CheckAll(ctx, &http.Client{Timeout: 5 * time.Second}, st.PanelURL(), urls)
	for _, p := range problems {
		fmt.Fprintf(stdout, "start-up check: %s: %s\n", p.Level, p.Text)
	}
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "start-up check: no problems with %s\n", strings.Join(urls, ", "))
	}
	fmt.Fprintln(stdout)
	return nil
}
