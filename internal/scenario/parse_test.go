package scenario

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/yamlx"
)

func base(t testing.TB) *state.Data {
	t.Helper()
	d, err := state.DefaultData()
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
  - send: {id: odd, type: state, payload: {attribute: mood, value: grumpy}}
  - fail_next_init
  - fail_next_init: nope
  - fail: {command: transfer, reason: backend down}
  - delay: {command: detail, by: 500ms}
  - clear_faults
  - confirm: {as: out2}
  - cancel
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
		{"not YAML", "name: [x\n", "s.yaml:2:1: did not find expected ',' or ']'"},
		{"not a mapping", "- login\n", "s.yaml:1:1: a scenario is a mapping with name, description and steps"},
		{"no name", "steps: [login]\n", "s.yaml:1:1: the scenario has no name (add name: a few words)"},
		{"no steps", "name: x\n", "s.yaml:1:1: the scenario has no steps"},
		{"an unknown top-level key", "name: x\nstep: [login]\n", `s.yaml:2:1: unknown key "step" (did you mean "steps"?)`},
		{"an unknown step", "name: x\nsteps:\n  - acept: call1\n", `s.yaml:3:5: unknown step "acept" (did you mean "accept"?)`},
		{"two keys in a step", "name: x\nsteps:\n  - {login: null, logout: null}\n", "s.yaml:3:5: a step is one key and its value; this one has 2 keys"},
		{"a name used before as", "name: x\nsteps:\n  - accept: call1\n", `s.yaml:3:13: "call1" is used before as defines it (define it first with as: in an incoming, consult, outbound, confirm or name step)`},
		{"a misspelt name", "name: x\nsteps:\n  - incoming: {as: call1, channel: phone}\n  - accept: cal1\n", `s.yaml:4:13: "cal1" is used before as defines it (did you mean "call1"?)`},
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
