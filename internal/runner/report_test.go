package runner

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/host"
	"github.com/cpsim/cpsim/internal/scenario"
	"github.com/cpsim/cpsim/internal/state"
)

func step(line int, text, status string, secs float64) scenario.Progress {
	return scenario.Progress{Step: scenario.Step{Line: line, Text: text}, Status: status, Elapsed: time.Duration(secs * float64(time.Second))}
}

// The reports of diagnosed messages a session calls Watch.Message with:
// a refused command, a note, and a message the page could not relay.
var (
	unknownCommand = host.MessageReport{Instance: "crm-3", Key: "crm", Message: `{"id":"c-2","payload":{"command":"callstate"},"type":"action"}`,
		Diagnostic: state.Diagnostic{Instance: "crm-3", Direction: "in", Severity: state.SeverityError, Kind: "protocol", Path: "/payload/command", Text: `unknown command "callstate"`}}
	note = host.MessageReport{Instance: "crm-3", Key: "crm", Message: `{"id":"i-1","payload":true,"type":"init"}`,
		Diagnostic: state.Diagnostic{Instance: "crm-3", Direction: "in", Severity: state.SeverityInfo, Kind: "protocol", Text: "init again: the panel answers it as the first"}}
	dropped = host.MessageReport{Instance: "crm-3", Key: "crm",
		Diagnostic: state.Diagnostic{Instance: "crm-3", Direction: "in", Severity: state.SeverityError, Kind: "protocol", Text: "the page could not relay this message: not serializable: cyclic object"}}
)

// TestProblemsFailTheScenario: the protocol problems the host reports while
// a scenario plays are printed under it as they come, notes too, a dropped
// message with why; they fail the scenario unless they are only to be
// reported, and the failure says how many and how to only report them. The
// host calls the report's callbacks; here they are called directly.
func TestProblemsFailTheScenario(t *testing.T) {
	t.Parallel()
	sc := &scenario.Scenario{File: "call.yaml", Name: "A call"}
	play := func(failOnProblems bool) (string, Result) {
		var out bytes.Buffer
		rep := newReport(Config{Out: &out, FailOnProblems: failOnProblems, FailOnExtensionErrors: true}, sc)
		rep.progress(step(4, "accept: c1", "running", 0))
		rep.progress(step(4, "accept: c1", "ok", 0))
		rep.message(unknownCommand)
		rep.message(note)
		rep.message(dropped)
		rep.progress(step(5, "expect: {type: init}", "ok", 0.21))
		res := rep.finish(nil, 1500*time.Millisecond, nil, nil)
		rep.message(unknownCommand) // after the end: not heard
		rep.progress(step(6, "wait: 1s", "ok", 1))
		return out.String(), res
	}
	lines := "call.yaml: A call\n" +
		"  ok      4  accept: c1                                                     0.00s\n" +
		`  problem crm-3: error protocol /payload/command: unknown command "callstate": {"id":"c-2","payload":{"command":"callstate"},"type":"action"}` + "\n" +
		`  note    crm-3: info protocol: init again: the panel answers it as the first: {"id":"i-1","payload":true,"type":"init"}` + "\n" +
		"  problem crm-3: error protocol: the page could not relay this message: not serializable: cyclic object\n" +
		"  ok      5  expect: {type: init}                                           0.21s\n"

	out, res := play(true)
	want := lines +
		"  call.yaml: the extensions' messages had 2 protocol problems (above); with -problems report they are only reported\n" +
		"FAIL call.yaml (1.5s)\n\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("output, failing on problems (-want +got):\n%s", diff)
	}
	if res.Passed() || res.Problems() != 2 || len(res.Messages) != 3 || len(res.Steps) != 2 {
		t.Errorf("passed %v, %d problems, %d messages, %d steps: want failed, 2, 3, 2", res.Passed(), res.Problems(), len(res.Messages), len(res.Steps))
	}

	out, res = play(false)
	if diff := cmp.Diff(lines+"PASS call.yaml (1.5s, with 2 protocol problems reported)\n\n", out); diff != "" {
		t.Errorf("output, reporting problems (-want +got):\n%s", diff)
	}
	if !res.Passed() || res.Problems() != 2 {
		t.Errorf("passed %v with %d problems: only reported, they do not fail it", res.Passed(), res.Problems())
	}
}

// TestEveryReasonOfAFailure: a scenario that failed its own step, whose
// extension frame did not load, which sent a problem and threw, prints the
// frame's cause and the error, then each reason of the failure.
func TestEveryReasonOfAFailure(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	sc := &scenario.Scenario{File: "call.yaml", Name: "A call"}
	rep := newReport(Config{Out: &out, FailOnProblems: true, FailOnExtensionErrors: true}, sc)
	rep.message(unknownCommand)
	rep.progress(step(8, "expect: {type: init, within: 5s}", "failed", 5))
	res := rep.finish(errors.New("call.yaml:8: expect: {type: init, within: 5s}: expected the extension to send {\"type\":\"init\"} within 5s, but it did not (it sent nothing)"),
		5200*time.Millisecond,
		[]FrameLoad{
			{URL: "http://localhost:3000/panel.html", Cause: "it sends X-Frame-Options: DENY (net::ERR_BLOCKED_BY_RESPONSE)", Frames: 2},
			{URL: "http://localhost:3001/late.html", Cause: "still waiting for its server's answer when the scenario ended", Stalled: true, Frames: 1},
		},
		[]string{"uncaught Error: boom (http://localhost:3000/panel.html:3)"})
	want := "call.yaml: A call\n" +
		`  problem crm-3: error protocol /payload/command: unknown command "callstate": {"id":"c-2","payload":{"command":"callstate"},"type":"action"}` + "\n" +
		"  FAIL    8  expect: {type: init, within: 5s}                               5.00s\n" +
		"  frame did not load: http://localhost:3000/panel.html: it sends X-Frame-Options: DENY (net::ERR_BLOCKED_BY_RESPONSE) (2 frames)\n" +
		"  frame did not load: http://localhost:3001/late.html: still waiting for its server's answer when the scenario ended\n" +
		"  extension error: uncaught Error: boom (http://localhost:3000/panel.html:3)\n" +
		"  call.yaml:8: expect: {type: init, within: 5s}: expected the extension to send {\"type\":\"init\"} within 5s, but it did not (it sent nothing)\n" +
		"  call.yaml: 2 extension frames did not load (above)\n" +
		"  call.yaml: the extensions' messages had 1 protocol problem (above); with -problems report they are only reported\n" +
		"  call.yaml: the extensions had 1 uncaught exception or console error (above); with -extension-errors report they are only reported\n" +
		"FAIL call.yaml (5.2s)\n\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	if len(res.FrameLoads) != 2 {
		t.Errorf("frame loads %v", res.FrameLoads)
	}
}

// TestStalledFrameAloneDoesNotFail: a frame still loading when a passing
// scenario ends may just be late; it is neither printed nor a failure.
func TestStalledFrameAloneDoesNotFail(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	rep := newReport(Config{Out: &out, FailOnProblems: true}, &scenario.Scenario{File: "x.yaml", Name: "X"})
	res := rep.finish(nil, time.Second, []FrameLoad{{URL: "http://localhost:1/x", Cause: "still waiting", Stalled: true, Frames: 1}}, nil)
	if !res.Passed() || len(res.FrameLoads) != 0 || strings.Contains(out.String(), "frame") {
		t.Errorf("passed %v, frame loads %v, output:\n%s", res.Passed(), res.FrameLoads, out.String())
	}
}

// TestReportLinesShowControlCharacters: what cpsim test prints of a step's
// text or an extension's message shows control characters as the panel
// does, so that an RTL override cannot reverse the CI log's line nor an
// escape sequence drive the terminal; a cut never splits a character.
func TestReportLinesShowControlCharacters(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{`say: {in: c, text: "invoice` + "\u202e" + `fdp.exe"}`, `say: {in: c, text: "invoice‹U+202E›fdp.exe"}`},
		{"red \x1b[31malert", "red ‹U+001B›[31malert"},
		{"pay\u200bpal", "pay‹U+200B›pal"},
		{"Äiti sanoi: " + strings.Repeat("ä", 60), "Äiti sanoi: " + strings.Repeat("ä", 45) + "..."},
		{"plain", "plain"},
	} {
		if got := clip(tc.in, 60); got != tc.want {
			t.Errorf("clip(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
