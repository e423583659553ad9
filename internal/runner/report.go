package runner

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/scenario"
)

// report prints how one scenario goes, as it goes, and keeps it for its
// Result. The host calls progress and message from its goroutines while
// the scenario plays, so both print under a lock; once finish has begun,
// late calls are dropped, so that nothing prints after PASS or FAIL.
type report struct {
	out                         io.Writer
	failProblems, failExtErrors bool

	mu   sync.Mutex
	res  Result
	done bool
}

// newReport starts the report of a scenario with its heading.
func newReport(cfg Config, sc *scenario.Scenario) *report {
	r := &report{out: cfg.Out, failProblems: cfg.FailOnProblems, failExtErrors: cfg.FailOnExtensionErrors, res: Result{Scenario: sc}}
	fmt.Fprintf(r.out, "%s: %s\n", sc.File, sc.Name)
	return r
}

// progress prints a step that ended.
func (r *report) progress(p scenario.Progress) {
	if p.Status == "running" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return
	}
	r.res.Steps = append(r.res.Steps, p)
	mark := "ok  "
	if p.Status == "failed" {
		mark = "FAIL"
	}
	fmt.Fprintf(r.out, "  %s %4d  %-60s %6.2fs\n", mark, p.Step.Line, clip(p.Step.Text, 60), p.Elapsed.Seconds())
}

// message prints a diagnosed message of an extension: a protocol problem
// or a note.
func (r *report) message(m host.MessageReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return
	}
	r.res.Messages = append(r.res.Messages, m)
	fmt.Fprintf(r.out, "  %s\n", messageLine(m))
}

// messageLine is a diagnosed message as cpsim test prints it.
func messageLine(m host.MessageReport) string {
	if m.Diagnostic.IsProblem() {
		return "problem " + visible(m.String())
	}
	return "note    " + visible(m.String())
}

// finish ends the report: it prints the frames that did not load, the
// extension errors, the failure with each of its reasons, and PASS or
// FAIL, and returns the result. err is the scenario's own (an expectation
// not met), nil when its steps passed.
func (r *report) finish(err error, took time.Duration, loads []FrameLoad, extErrors []string) Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = true
	res := r.res
	res.Duration, res.ExtensionErrors = took, extErrors
	file := res.Scenario.File

	reasons := []error{err}
	failed := 0
	for _, l := range loads {
		if !l.Stalled {
			failed += l.Frames
		}
	}
	res.FrameLoads = nil
	for _, l := range loads {
		// A stalled frame explains a failure; alone it may just be late.
		if !l.Stalled || err != nil || failed > 0 {
			res.FrameLoads = append(res.FrameLoads, l)
			fmt.Fprintf(r.out, "  frame did not load: %s\n", l)
		}
	}
	if failed > 0 {
		reasons = append(reasons, fmt.Errorf("%s: %s did not load (above)", file, count(failed, "extension frame", "extension frames")))
	}
	for _, e := range extErrors {
		fmt.Fprintf(r.out, "  extension error: %s\n", e)
	}
	if n := res.Problems(); n > 0 && r.failProblems {
		reasons = append(reasons, fmt.Errorf("%s: the extensions' messages had %s (above); with -problems report they are only reported",
			file, count(n, "protocol problem", "protocol problems")))
	}
	if len(extErrors) > 0 && r.failExtErrors {
		reasons = append(reasons, fmt.Errorf("%s: the extensions had %s (above); with -extension-errors report they are only reported",
			file, count(len(extErrors), "uncaught exception or console error", "uncaught exceptions or console errors")))
	}
	res.Err = errors.Join(reasons...)
	if res.Err != nil {
		fmt.Fprintf(r.out, "  %s\n", indent(res.Err.Error(), "  "))
		fmt.Fprintf(r.out, "FAIL %s (%.1fs)\n\n", file, took.Seconds())
	} else {
		reported := ""
		if n := res.Problems(); n > 0 {
			reported = ", with " + count(n, "protocol problem", "protocol problems") + " reported"
		}
		fmt.Fprintf(r.out, "PASS %s (%.1fs%s)\n\n", file, took.Seconds(), reported)
	}
	return res
}

// count is "1 thing" or "n things".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
