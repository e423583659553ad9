package scenario

import (
	"encoding/json"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/yamlx"
	"github.com/cpsim/cpsim/internal/yamlx/yamlxtest"
)

func base(t testing.TB) *state.Data {
	t.Helper()
	d, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// every uses every step kind once.
const every = `name: every step
description: one of each
steps:
  - login
  - logout
  - login
  - work_status: ready
  - profile: Meeting
  - phone_status: connected
  - serve: {queue: Sales, on: true}
  - incoming: {as: call1, channel: phone, queue: Sales, from: "+358401234567", to: "+358201230100", cad: {customer_id: C-1001}}
  - accept: call1
  - hold: call1
  - unhold
  - mute: {in: call1}
  - unmute
  - record: start
  - record: {in: call1, do: stop}
  - consult: {in: call1, to: "2042", as: cons1}
  - outcome: {in: cons1, result: connected}
  - join: cons1
  - handle: cons1
  - handle: call1
  - incoming: {as: chat1, channel: chat, content: Hello}
  - pick: chat1
  - say: {in: chat1, from: customer, text: Hi}
  - typing: {in: chat1, on: true}
  - cad: {in: chat1, set: {case: C-17, gone: null}}
  - select: chat1
  - deselect
  - transfer: {in: chat1, to: Support, cad: {note: VIP}}
  - handle: chat1
  - incoming: {as: mail1, channel: email, subject: Invoice}
  - reject: mail1
  - outbound: {as: out1, channel: phone, to: "+358409999999"}
  - hangup: out1
  - handle: out1
  - name: {as: any1, channel: phone}
  - state: {in: any1, attribute: channel_status, value: onvideo}
  - status: {attribute: work_status, value: ready}
  - post: {id: odd, type: state, payload: {attribute: mood, value: grumpy}}
  - fail_next_init
  - fail_next_init: nope
  - fail: {command: transfer, reason: backend down}
  - delay: {command: detail, by: 500ms}
  - clear_faults
  - send: {as: out2}
  - discard
  - wait: 10ms
  - expect: {type: action, payload: {command: detail, value: user}, within: 3s}
  - expect_none: {type: action, payload: {command: interaction}, within: 1s}
`

func TestParseEveryStep(t *testing.T) {
	t.Parallel()
	sc, err := Parse("every.yaml", []byte(every), base(t))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, st := range sc.Steps {
		seen[st.Kind] = true
	}
	for _, k := range StepKinds() {
		if !seen[k] {
			t.Errorf("the test file does not use the step %s", k)
		}
	}
	if st := sc.Steps[8]; st.Line != 12 || st.Text != "accept: call1" {
		t.Errorf("step 9 is at line %d as %q", st.Line, st.Text)
	}
}

// TestStepText: the text progress and failures show is the whole step,
// on one line, as written, without comments.
// TestDraftSteps: send and discard name the draft as any step names an
// interaction, or leave it out for the oldest draft in the panel (the
// extension created it: a scenario has no name for it unless it gives
// one); send takes the agent's edits, and as names the draft it sends.
func TestDraftSteps(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, `name: drafts
steps:
  - send
  - send: {as: sms1}
  - name: {as: mail1, channel: email, status: outgoing}
  - send: mail1
  - send: {in: mail1, to: [a@example.com, b@example.com], subject: Shipped, content: "Your order is on its way."}
  - discard
  - discard: mail1
`)
	want := []stepData{
		{Kind: "send", Event: state.SendDraft{}},
		{Kind: "send", Event: state.SendDraft{}, As: "sms1"},
		{Kind: "name"},
		{Kind: "send", Event: state.SendDraft{ID: "mail1"}},
		{Kind: "send", Event: state.SendDraft{ID: "mail1", To: state.Recipients{"a@example.com", "b@example.com"}, Subject: "Shipped", Content: "Your order is on its way."}},
		{Kind: "discard", Event: state.DiscardDraft{}},
		{Kind: "discard", Event: state.DiscardDraft{ID: "mail1"}},
	}
	if diff := cmp.Diff(want, dataOf(sc.Steps)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestStepText(t *testing.T) {
	t.Parallel()
	sc := mustParse(t, `name: x
steps:
  - incoming: {as: c1, channel: chat, from: "Åsa 👩‍💻 \"#1\"",   # a comment
               cad: {note: 'a # b', tiers: [gold, silver]}}
  - say:
      in: c1
      from: agent
      text: |
        two
        lines
  - login      # the agent
`)
	var got []string
	for _, st := range sc.Steps {
		got = append(got, st.Text)
	}
	want := []string{
		`incoming: {as: c1, channel: chat, from: "Åsa 👩‍💻 \"#1\"", cad: {note: 'a # b', tiers: [gold, silver]}}`,
		`say: {in: c1, from: agent, text: "two\nlines\n"}`,
		`login`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("texts (-want +got):\n%s", diff)
	}
}

func TestParseStartingData(t *testing.T) {
	t.Parallel()
	sc, err := Parse("s.yaml", []byte(`name: billing
agent: {first_name: Bob}
queues: [{name: Billing, channel: phone}]
steps:
  - incoming: {channel: phone, queue: Billing}
  - accept
`), base(t))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Data.Agent.FirstName != "Bob" || len(sc.Data.Queues) != 1 {
		t.Errorf("data = %+v", sc.Data.Queues)
	}
	d := base(t)
	if len(d.Queues) != 6 {
		t.Error("parsing changed the base data")
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"not YAML", "name: [x\n", "s.yaml:1:1: did not find expected ',' or ']'"},
		{"not a mapping", "- login\n", "s.yaml:1:1: a scenario is a mapping with name, description and steps"},
		{"no name", "steps: [login]\n", "s.yaml:1:1: the scenario has no name (add name: a few words)"},
		{"no steps", "name: x\n", "s.yaml:1:1: the scenario has no steps"},
		{"an unknown top-level key", "name: x\nstep: [login]\n", `s.yaml:2:1: unknown key "step" (did you mean "steps"?)`},
		{"an unknown step", "name: x\nsteps:\n  - acept: call1\n", `s.yaml:3:5: unknown step "acept" (did you mean "accept"?)`},
		{"two keys in a step", "name: x\nsteps:\n  - {login: null, logout: null}\n", "s.yaml:3:5: a step is one key and its value; this one has 2 keys"},
		{"a name used before as", "name: x\nsteps:\n  - accept: call1\n", `s.yaml:3:13: "call1" names no interaction: no step before it defines it with as: (define it first with as: in an incoming, consult, outbound, send or name step)`},
		{"a misspelt name", "name: x\nsteps:\n  - incoming: {as: call1, channel: phone}\n  - accept: cal1\n", `s.yaml:4:13: "cal1" names no interaction: no step before it defines it with as: (did you mean "call1"?)`},
		{"no name yet", "name: x\nsteps:\n  - hold\n", "s.yaml:3:5: no interaction has been named yet"},
		{"a name taken twice", "name: x\nsteps:\n  - incoming: {as: c, channel: phone}\n  - incoming: {as: c, channel: chat}\n", `s.yaml:4:15: the name "c" is taken (it was defined at line 3; give this one another name)`},
		{"a bad channel", "name: x\nsteps:\n  - incoming: {channel: fax}\n", `s.yaml:3:25: channel "fax" is not allowed (use one of phone, chat, email, sms, whatsapp)`},
		{"a misspelt channel", "name: x\nsteps:\n  - incoming: {channel: phnoe}\n", `s.yaml:3:25: channel "phnoe" is not allowed (did you mean "phone"?)`},
		{"a queue of another channel", "name: x\nsteps:\n  - incoming: {channel: chat, queue: Sales}\n", `s.yaml:3:38: queue of channel chat "Sales" is not allowed (use one of Web Chat)`},
		{"a bad work status", "name: x\nsteps:\n  - work_status: busy\n", `s.yaml:3:18: work_status "busy" is not allowed (use one of ready, not_ready, wrap_up)`},
		{"an unknown profile", "name: x\nsteps:\n  - profile: Lnch\n", `s.yaml:3:14: profile "Lnch" is not allowed (did you mean "Lunch"?)`},
		{"a bad outcome", "name: x\nsteps:\n  - outbound: {as: o, channel: phone, to: '1'}\n  - outcome: {in: o, result: busyy}\n", `s.yaml:4:30: result "busyy" is not allowed (did you mean "busy"?)`},
		{"a bad record", "name: x\nsteps:\n  - incoming: {channel: phone}\n  - record: on\n", `s.yaml:4:13: record "on" is not allowed (use one of start, stop)`},
		{"say from a bot", "name: x\nsteps:\n  - incoming: {channel: chat}\n  - say: {from: bot, text: hi}\n", `s.yaml:4:17: from "bot" is not allowed (use one of customer, agent)`},
		{"a duration without a unit", "name: x\nsteps:\n  - wait: 2\n", `s.yaml:3:11: "2" has no unit (write 2s or 2ms)`},
		{"a wait without a duration", "name: x\nsteps:\n  - wait\n", "s.yaml:3:5: wait needs a duration (write it like wait: 2s)"},
		{"login with a value", "name: x\nsteps:\n  - login: now\n", "s.yaml:3:12: login takes no value (write it alone: - login)"},
		{"an unknown key in a step", "name: x\nsteps:\n  - incoming: {channel: phone, form: x}\n", `s.yaml:3:32: unknown key "form" (did you mean "from"?)`},
		{"an unknown command", "name: x\nsteps:\n  - fail: {command: details}\n", `s.yaml:3:21: command "details" is not allowed (did you mean "detail"?)`},
		{"an expect of an unknown command", "name: x\nsteps:\n  - expect: {type: action, payload: {command: detial}}\n", `s.yaml:3:47: command "detial" is not allowed (did you mean "detail"?)`},
		{"an expect of a panel type", "name: x\nsteps:\n  - expect: {type: state}\n", `s.yaml:3:20: type "state" is not allowed (use one of init, exit, action)`},
		{"an expect of everything", "name: x\nsteps:\n  - expect: {within: 1s}\n", "s.yaml:3:13: expect matches every message (say what the message has: type, id or payload)"},
		{"a transfer without to", "name: x\nsteps:\n  - incoming: {channel: phone}\n  - transfer: {}\n", "s.yaml:4:15: transfer needs to (add to: the number, agent or queue)"},
		{"bad starting data", "name: x\nqueues: [{name: A, channel: fax}]\nsteps: [login]\n", `s.yaml:2:10: channel "fax" is not allowed`},
		{"confirm, renamed", "name: x\nsteps:\n  - confirm: {as: out1}\n", "s.yaml:3:5: confirm is now send (an extension's outbound without direct opens a draft at once: send sends it (send, send: out1, send: {in: out1, content: ...}))"},
		{"cancel, renamed", "name: x\nsteps:\n  - cancel\n", "s.yaml:3:5: cancel is now discard (an extension's outbound without direct opens a draft at once: discard drops it (discard, discard: out1))"},
		{"a raw message sent", "name: x\nsteps:\n  - send: {id: x, type: state, payload: {}}\n", "s.yaml:3:12: send now sends a draft: a raw message is post (post: {id: x, type: state, payload: {...}})"},
		{"a draft sent with a key it has not", "name: x\nsteps:\n  - send: {contnet: hi}\n", `s.yaml:3:12: unknown key "contnet" (did you mean "content"?)`},
		{"a draft discarded with edits", "name: x\nsteps:\n  - discard: {content: hi}\n", `s.yaml:3:15: unknown key "content"`},
		{"an alias bomb in a cad", "name: x\nsteps:\n  - incoming:\n      channel: phone\n      cad:\n" + yamlxtest.Laughs(9, "        "),
			"s.yaml:11:16: aliases expand this file by more than 100000 nodes here (*e alone stands for 66430)"},
		{"an alias within its anchor", "name: x\nsteps:\n  - incoming: {channel: phone, cad: &c {a: *c}}\n", "s.yaml:3:44: the alias *c is within what &c holds, so it would expand forever"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("s.yaml", []byte(tt.src), base(t))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
			var ye *yamlx.Error
			if !errors.As(err, &ye) || ye.Line == 0 {
				t.Errorf("the error has no position: %#v", err)
			}
		})
	}
}

func TestContains(t *testing.T) {
	t.Parallel()
	msg := map[string]any{"id": "cpc-1", "type": "action", "payload": map[string]any{"command": "detail", "value": "user", "n": float64(3), "list": []any{"a", "b"}}}
	for _, tt := range []struct {
		want any
		ok   bool
	}{
		{map[string]any{"type": "action"}, true},
		{map[string]any{"payload": map[string]any{"command": "detail"}}, true},
		{map[string]any{"payload": map[string]any{"n": int64(3)}}, true},
		{map[string]any{"payload": map[string]any{"list": []any{"a", "b"}}}, true},
		{map[string]any{"payload": map[string]any{"list": []any{"a"}}}, false},
		{map[string]any{"payload": map[string]any{"command": "outbound"}}, false},
		{map[string]any{"missing": nil}, false},
		{map[string]any{"type": "action", "payload": "x"}, false},
	} {
		if got := contains(msg, tt.want); got != tt.ok {
			t.Errorf("contains(%v) = %v, want %v", tt.want, got, tt.ok)
		}
	}
}

// TestExpectPatterns: an expect or expect_none whose pattern has a key or a
// value the API does not have would never match, so an expect_none would
// pass whatever the extension sends; it is refused where it is written.
func TestExpectPatterns(t *testing.T) {
	t.Parallel()
	refused := []struct {
		name, step string
		want       []string // every mistake, in order
	}{
		{"a misspelt key of an action (the reported bug)", "expect_none: {type: action, payload: {comand: detail}}",
			[]string{`s.yaml:3:43: unknown key "comand" (did you mean "command"?)`}},
		{"a detail value", "expect: {type: action, payload: {command: detail, value: usr}}",
			[]string{`s.yaml:3:62: detail value "usr" is not allowed (did you mean "user"?)`}},
		{"an interaction value", "expect: {payload: {command: interaction, value: hold}}",
			[]string{`s.yaml:3:53: interaction value "hold" is not allowed (use one of accept, reject, pick, handle, hangup)`}},
		{"a callState value", "expect: {payload: {command: callState, value: pause}}",
			[]string{`s.yaml:3:51: callState value "pause" is not allowed (use one of startRecording, stopRecording, hold, unhold, mute, unmute)`}},
		{"a word for a flag", `expect: {payload: {command: visible, value: "yes"}}`,
			[]string{`s.yaml:3:49: the value of visible is true or false, not "yes"`}},
		{"a word for a value object", "expect: {payload: {command: message, value: hello}}",
			[]string{`s.yaml:3:49: the value of message is a mapping of to, content, from, subject, cc, bcc, channel, direct, cad, not "hello"`}},
		{"a misspelt key of a value object", "expect: {payload: {command: outbound, value: {chanel: sms}}}",
			[]string{`s.yaml:3:51: unknown key "chanel" (did you mean "channel"?)`}},
		{"an outbound channel", "expect: {payload: {command: outbound, value: {channel: fax}}}",
			[]string{`s.yaml:3:60: channel "fax" is not allowed (use one of phone, sms, whatsapp, email)`}},
		{"a chat outbound", "expect: {payload: {command: outbound, value: {channel: chat}}}",
			[]string{`s.yaml:3:60: channel "chat" is not allowed (use one of phone, sms, whatsapp, email)`}},
		{"direct as a word", `expect: {payload: {command: outbound, value: {direct: "yes"}}}`,
			[]string{`s.yaml:3:59: direct is true or false, not "yes"`}},
		{"a number where the API sends a string, and a list for cad", "expect: {payload: {command: transfer, value: {to: 2042, cad: [a]}}}",
			[]string{`s.yaml:3:55: to is a string, not "2042" (quote it: to: "2042")`,
				`s.yaml:3:66: cad is a mapping of caller data, not a list (write it like cad: {customer_id: C-1001})`}},
		{"a number in a list of addresses", "expect: {payload: {command: outbound, value: {to: [a@example.com, 7]}}}",
			[]string{`s.yaml:3:71: to is a string, not "7" (quote it: to: "7")`}},
		{"an interactionId that is a number", "expect: {payload: {command: message, interactionId: 5}}",
			[]string{`s.yaml:3:57: interactionId is a string, not "5" (quote it: interactionId: "5")`}},
		{"a command that is not a word", "expect: {type: action, payload: {command: 7}}",
			[]string{`s.yaml:3:47: command is a word, not "7" (use one of outbound, detail, transfer, consult, join, dtmf, message, visible, enabled, expanded, interaction, callState, picklist)`}},
		{"a value for picklist", "expect: {payload: {command: picklist, value: user}}",
			[]string{`s.yaml:3:50: picklist has no value (leave value out)`}},
		{"a limit that is no number", `expect: {payload: {command: picklist, limit: "10", queueId: 7}}`,
			[]string{`s.yaml:3:50: limit is a whole number of contacts, not "10" (write it like limit: 10)`,
				`s.yaml:3:65: queueId is a string, not "7" (quote it: queueId: "7")`}},
		{"a detail value of 32 characters that is no id", "expect: {payload: {command: detail, value: 3B0E6C12382D470EA3EB33B90685E98-}}",
			[]string{`s.yaml:3:48: detail value "3B0E6C12382D470EA3EB33B90685E98-" is not allowed (use one of user, interaction, interactions, queue, queues, transcript, extension, activeExtension, activeInteraction)`}},
		{"a value no command takes", "expect: {payload: {value: usr}}",
			[]string{`s.yaml:3:31: value "usr" is not allowed (did you mean "user"?)`}},
		{"every mistake of a pattern", "expect: {type: action, payload: {comand: detail, value: usr, interactionid: x}}",
			[]string{`s.yaml:3:38: unknown key "comand" (did you mean "command"?)`,
				`s.yaml:3:61: value "usr" is not allowed (did you mean "user"?)`,
				`s.yaml:3:66: unknown key "interactionid" (did you mean "interactionId"?)`}},
		{"an init payload that is not a boolean", "expect: {type: init, payload: {x: 1}}",
			[]string{`s.yaml:3:35: the payload of init is true or false, not a mapping (payload: true asks for the cached messages, payload: false drops them)`}},
		{"an exit payload", "expect: {type: exit, payload: {}}",
			[]string{`s.yaml:3:35: an exit message has no payload (leave payload out)`}},
		{"an action payload that is not a mapping", "expect: {type: action, payload: true}",
			[]string{`s.yaml:3:37: the payload of an action is a mapping of command, value, interactionId, limit, queueId, not "true" (write it like payload: {command: detail, value: user})`}},
		{"a payload no message has", "expect: {payload: hello}",
			[]string{`s.yaml:3:23: no message an extension sends has the payload "hello" (an action's payload is a mapping such as {command: detail, value: user}; init's is true or false)`}},
		{"an id that is a list", "expect: {id: [1]}",
			[]string{`s.yaml:3:18: the id is a string or a number, not a list (give the id the extension sends, such as id: cpc-1)`}},
		{"a pattern over lines", "expect:\n      type: action\n      payload:\n        command: detail\n        value: usr",
			[]string{`s.yaml:7:16: detail value "usr" is not allowed (did you mean "user"?)`}},
		{"from a misspelt extension", "expect: {type: action, from: crn}",
			[]string{`s.yaml:3:34: no extension has the key "crn" (did you mean "crm"?)`}},
		{"from an extension far from any", "expect: {type: action, from: zzzzzz}",
			[]string{`s.yaml:3:34: no extension has the key "zzzzzz" (the extensions are crm, bg)`}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("s.yaml", []byte("name: x\nsteps:\n  - "+tt.step+"\n"), withExtensions(t))
			var errs yamlx.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("err = %v (%T), want a yamlx.Errors", err, err)
			}
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mistakes (-want +got):\n%s", diff)
			}
		})
	}

	accepted := []string{
		"expect: {type: init, payload: true}",
		"expect: {payload: false}",
		"expect: {type: exit}",
		"expect: {type: exit, payload: null}",
		"expect: {id: cpc-1}",
		"expect: {id: 7}",
		"expect: {type: action, payload: {command: detail, value: interactions}}",
		"expect: {payload: {command: interaction, value: hangup, interactionId: 3B0E6C12382D470EA3EB33B90685E984}}",
		"expect: {payload: {command: callState, value: startRecording}}",
		"expect: {payload: {command: detail, value: 3B0E6C12382D470EA3EB33B90685E984}}",
		"expect: {payload: {command: join, interactionId: 3B0E6C12382D470EA3EB33B90685E984}}",
		"expect: {payload: {command: picklist, limit: 10, queueId: \"DF524151897E9CA5A0BBE9C51E066CF8,2384BA0E917A00F922F8CEA1D02DDD57\"}}",
		"expect: {payload: {command: picklist}}",
		"expect: {payload: {command: expanded, value: false}}",
		"expect: {payload: {command: outbound, value: {channel: whatsapp, to: \"+358401234567\", direct: true}}}",
		"expect: {payload: {command: outbound, value: {channel: email, to: [a@example.com], cc: [b@example.com], bcc: c@example.com, from: q@example.com, subject: Hi, content: <b>Hi</b>}}}",
		"expect: {payload: {command: transfer, value: {to: \"2042\", cad: {case: C-17, n: 3}}}}",
		"expect: {payload: {command: dtmf, value: {content: \"123#\"}}}",
		"expect: {payload: {value: user}}",
		"expect: {payload: {value: true}}",
		"expect: {payload: {value: {to: \"2042\"}}}",
		"expect: {payload: {interactionId: x}}",
		"expect_none: {type: action, payload: {command: interaction}, from: bg}",
		"expect: {type: action, from: crm, payload: &p {command: detail}}",
	}
	for _, step := range accepted {
		if _, err := Parse("s.yaml", []byte("name: x\nsteps:\n  - "+step+"\n"), withExtensions(t)); err != nil {
			t.Errorf("%s: refused: %v", step, err)
		}
	}
}

// TestFromWithNoExtensions: with no extension configured, a from names
// none, and the hint says where extensions are given.
func TestFromWithNoExtensions(t *testing.T) {
	t.Parallel()
	_, err := Parse("s.yaml", []byte("name: x\nsteps:\n  - expect: {type: init, from: crm}\n"), base(t))
	want := `s.yaml:3:32: no extension has the key "crm" (no extension is configured: add extensions: to the scenario or to the -config file)`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	// The scenario's own extensions count.
	if _, err := Parse("s.yaml", []byte("name: x\nextensions: [{key: crm, url: 'https://x.example/crm.html'}]\nsteps:\n  - expect: {type: init, from: crm}\n"), base(t)); err != nil {
		t.Errorf("the scenario's own extension: %v", err)
	}
}

// TestPatternListsFollowTheSchema: the keys and values expectations accept
// are the seed schema's, and where they differ each difference is a
// decision of docs/spec-notes.md.
func TestPatternListsFollowTheSchema(t *testing.T) {
	t.Parallel()
	src, err := os.ReadFile(filepath.Join("..", "state", "message.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Definitions struct {
			RequestMessage struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"requestMessage"`
		} `json:"definitions"`
	}
	var command struct {
		Enum []string `json:"enum"`
	}
	var value struct {
		OneOf []struct {
			Type       string                     `json:"type"`
			Enum       []string                   `json:"enum"`
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"oneOf"`
	}
	err = json.Unmarshal(src, &schema)
	req := schema.Definitions.RequestMessage.Properties
	if err == nil {
		err = json.Unmarshal(req["command"], &command)
	}
	if err == nil {
		err = json.Unmarshal(req["value"], &value)
	}
	if err != nil {
		t.Fatal(err)
	}
	sorted := func(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }
	keys := func(m map[string]json.RawMessage) []string { return sorted(slices.Collect(maps.Keys(m))) }
	without := func(s []string, drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(s), func(x string) bool { return slices.Contains(drop, x) })
	}

	if diff := cmp.Diff(keys(req), sorted(without(state.ActionKeys(), "limit", "queueId"))); diff != "" {
		t.Errorf("action keys, but picklist's limit and queueId (-schema +ActionKeys):\n%s", diff)
	}
	if diff := cmp.Diff(command.Enum, without(state.Commands(), "picklist")); diff != "" {
		t.Errorf("commands, but picklist (-schema +Commands):\n%s", diff)
	}
	var words [][]string
	for _, alt := range value.OneOf {
		switch {
		case alt.Enum != nil:
			words = append(words, alt.Enum)
		case alt.Type == "object":
			if diff := cmp.Diff(keys(alt.Properties), sorted(without(state.ValueKeys(), "subject"))); diff != "" {
				t.Errorf("value keys, but subject, which the seed's outbound example sends (-schema +ValueKeys):\n%s", diff)
			}
			var channel struct {
				Enum []string `json:"enum"`
			}
			if err := json.Unmarshal(alt.Properties["channel"], &channel); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sorted(channel.Enum), sorted(without(state.OutboundChannels(), state.WhatsApp))); diff != "" {
				t.Errorf("outbound channels, but whatsapp (spec-notes #2) (-schema +OutboundChannels):\n%s", diff)
			}
		}
	}
	want := [][]string{without(state.DetailValues(), "interactions"), state.InteractionOps(), state.CallStateOps()}
	if diff := cmp.Diff(want, words); diff != "" {
		t.Errorf("the values of detail (but interactions, spec-notes #3), interaction and callState (-lists +schema):\n%s", diff)
	}
	for _, c := range state.Commands() {
		if _, ok := state.ActionValueOf(c); !ok {
			t.Errorf("state.ActionValueOf(%q) does not say what its value is", c)
		}
	}
}

// TestEveryMistake: a file is checked whole: every mistake is reported at
// its position, in the order of the file, and a step's mistake does not
// cascade into the steps after it.
func TestEveryMistake(t *testing.T) {
	t.Parallel()
	src := `name: x
descripton: a typo
steps:
  - incoming: {as: call1, channel: phone, queue: Sales, form: x}
  - accept: call1
  - incoming: {channel: phone, queue: Saels}
  - hold
  - outbound: {channel: fax, to: "1"}
  - hangup: out1
  - consult: {in: call1, to: "2042", as: cons1, cad: {a: 1}}
  - join: cons1
  - acept: call1
  - expect: {type: action, payload: {comand: detail}}
  - wait: 2
  - record: on
  - handle: call1
`
	_, err := Parse("s.yaml", []byte(src), withExtensions(t))
	want := `s.yaml:2:1: unknown key "descripton" (did you mean "description"?)
s.yaml:4:57: unknown key "form" (did you mean "from"?)
s.yaml:6:39: queue of channel phone "Saels" is not allowed (did you mean "Sales"?)
s.yaml:8:25: channel "fax" is not allowed (use one of phone, sms, whatsapp, email)
s.yaml:10:14: consult takes no cad (caller data goes with a transfer)
s.yaml:12:5: unknown step "acept" (did you mean "accept"?)
s.yaml:13:38: unknown key "comand" (did you mean "command"?)
s.yaml:14:11: "2" has no unit (write 2s or 2ms)
s.yaml:15:13: record "on" is not allowed (use one of start, stop)`
	if err == nil {
		t.Fatal("accepted")
	}
	if diff := cmp.Diff(strings.Split(want, "\n"), strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("mistakes (-want +got):\n%s", diff)
	}
	var first *yamlx.Error
	if !errors.As(err, &first) || first.Line != 2 {
		t.Errorf("errors.As finds %v, want the first mistake", first)
	}
}

// TestStepsRunOn: a step indented deeper than the one above it is read by
// YAML as more words of that step; the deeper line is the mistake.
func TestStepsRunOn(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ src, want string }{
		{"name: x\nsteps:\n  - login\n   - logout\n  - login\n",
			`s.yaml:4:4: this line is indented deeper than the step of line 3, so YAML reads the two as one step ("login - logout") (line its - up with the one of line 3)`},
		{"name: x\nsteps:\n- login\n  - logout\n",
			`s.yaml:4:3: this line is indented deeper than the step of line 3, so YAML reads the two as one step ("login - logout") (line its - up with the one of line 3)`},
		{"name: x\nsteps:\n  - incoming: {as: c1, channel: phone}\n  - accept: c1\n     - hold\n",
			`s.yaml:5:6: this line is indented deeper than the step of line 4, so YAML reads the two as one step ("c1 - hold") (line its - up with the one of line 4)`},
	} {
		_, err := Parse("s.yaml", []byte(tt.src), base(t))
		if err == nil || err.Error() != tt.want {
			t.Errorf("%q:\n got %v\nwant %s", tt.src, err, tt.want)
		}
	}
	// A reason that goes on over lines is one reason.
	if _, err := Parse("s.yaml", []byte("name: x\nsteps:\n  - fail_next_init: the backend\n      is down\n"), base(t)); err != nil {
		t.Errorf("a reason over two lines: %v", err)
	}
}

// TestWrongStartingData: the scenario's own data is wrong, so the names
// the steps take from it are not checked against it; the steps' other
// mistakes still are.
func TestWrongStartingData(t *testing.T) {
	t.Parallel()
	src := "name: x\nqueues: [{name: A, channel: fax}]\nsteps:\n  - incoming: {channel: phone, queue: B}\n  - acept\n"
	_, err := Parse("s.yaml", []byte(src), base(t))
	want := []string{
		`s.yaml:2:10: channel "fax" is not allowed (use one of "phone", "chat", "email", "sms", "whatsapp")`,
		`s.yaml:5:5: unknown step "acept" (did you mean "accept"?)`,
	}
	if err == nil {
		t.Fatal("accepted")
	}
	if diff := cmp.Diff(want, strings.Split(err.Error(), "\n")); diff != "" {
		t.Errorf("mistakes (-want +got):\n%s", diff)
	}
}
