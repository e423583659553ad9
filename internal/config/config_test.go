package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/state/statetest"
	"github.com/cpsim/cpsim/internal/yamlx"
	"github.com/cpsim/cpsim/internal/yamlx/yamlxtest"
)

func TestDefault(t *testing.T) {
	t.Parallel()
	d, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Queues) != 6 || len(d.Agent.Profiles) != 4 || len(d.Extensions) != 0 {
		t.Errorf("default data: %d queues, %d profiles, %d extensions", len(d.Queues), len(d.Agent.Profiles), len(d.Extensions))
	}
	for _, ch := range state.Channels() {
		found := false
		for _, q := range d.Queues {
			found = found || q.Channel == ch
		}
		if !found {
			t.Errorf("the default data has no %s queue, so an incoming %s has nowhere to go", ch, ch)
		}
	}
}

func TestParseMerges(t *testing.T) {
	t.Parallel()
	d, err := Parse("cpsim.yaml", []byte(`
agent:
  first_name: Bob
queues:
  - {name: Billing, channel: phone, address: "+3581"}
extensions:
  - key: crm
    url: https://crm.example.com/panel
    queues: [Billing]
  - {key: recorder, url: "https://rec.example.com", mode: global}
`))
	if err != nil {
		t.Fatal(err)
	}
	if d.Agent.FirstName != "Bob" || d.Agent.Username != "maria.lindqvist" {
		t.Errorf("agent = %s / %s: given fields replace, the rest keep the built-in values", d.Agent.FirstName, d.Agent.Username)
	}
	if len(d.Queues) != 1 || d.Queues[0].Name != "Billing" {
		t.Errorf("queues = %+v: a list given replaces the built-in one", d.Queues)
	}
	s, err := state.New(state.Options{Data: d, Validator: statetest.Validator(t), IDs: state.SeededIDs(1)})
	if err != nil {
		t.Fatal(err)
	}
	if v := s.View(); v.User.Name.FirstName != "Bob" || len(v.Instances) != 1 || v.Instances[0].Key != "recorder" {
		t.Errorf("session from the config: %+v", v.Instances)
	}
}

// TestParseOrdinal: an extension's ordinal, the System Configurator's
// place in the sidebar, reaches the page's view of its instances; one left
// out is 0, which lists first.
func TestParseOrdinal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ext string
		want      int
	}{
		{"left out", "{key: g, url: 'https://x', mode: global}", 0},
		{"zero", "{key: g, url: 'https://x', mode: global, ordinal: 0}", 0},
		{"the lowest", "{key: g, url: 'https://x', mode: global, ordinal: 1}", 1},
		{"the highest", "{key: g, url: 'https://x', mode: global, ordinal: 100}", 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d, err := Parse("cpsim.yaml", []byte("extensions:\n  - "+tt.ext+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			s, err := state.New(state.Options{Data: d, Validator: statetest.Validator(t), IDs: state.SeededIDs(1)})
			if err != nil {
				t.Fatal(err)
			}
			if v := s.View(); len(v.Instances) != 1 || v.Instances[0].Ordinal != tt.want {
				t.Errorf("instances = %+v, want one of ordinal %d", v.Instances, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      string // the whole error text
	}{
		{"an unknown key", "agent:\n  frist_name: Bob\n",
			`cpsim.yaml:2:3: unknown key "frist_name" (did you mean "first_name"?)`},
		{"an unknown top-level key", "queue:\n  - {name: A, channel: phone}\n",
			`cpsim.yaml:1:1: unknown key "queue" (did you mean "queues"?)`},
		{"a bad work status", "agent:\n  work_status: busy\n",
			`cpsim.yaml:2:3: work_status "busy" is not allowed (use one of "ready", "not_ready", "wrap_up")`},
		{"a misspelt channel", "queues:\n  - {name: A, channel: phnoe}\n",
			`cpsim.yaml:2:5: channel "phnoe" is not allowed (did you mean "phone"?)`},
		{"two queues with one name", "queues:\n  - {name: A, channel: phone}\n  - {name: A, channel: chat}\n",
			`cpsim.yaml:3:5: two queues are named "A"`},
		{"an extension on an unknown queue", "extensions:\n  - {key: crm, url: 'https://x', queues: [Sails]}\n",
			`cpsim.yaml:2:5: queue "Sails" is not allowed (did you mean "Sales"?)`},
		{"an extension without a url", "extensions:\n  - key: crm\n",
			`cpsim.yaml:2:5: extension crm: the url is missing`},
		{"an extension with a relative url", "extensions:\n  - {key: crm, url: /crm.html}\n",
			`cpsim.yaml:2:5: extension crm: the url "/crm.html" must start with http:// or https://`},
		{"a global extension with queues", "extensions:\n  - {key: g, url: 'https://x', mode: global, queues: [Sales]}\n",
			`cpsim.yaml:2:5: extension g is global: it lives from login to logout, so it has no queues`},
		{"an unknown mode", "extensions:\n  - {key: g, url: 'https://x', mode: hidden}\n",
			`cpsim.yaml:2:5: mode "hidden" is not allowed (use one of "", "interaction", "global")`},
		{"two extensions with one key", "extensions:\n  - {key: a, url: 'https://x'}\n  - {key: a, url: 'https://y'}\n",
			`cpsim.yaml:3:5: two extensions have the key "a"`},
		{"ready in an absence", "agent:\n  profile: Lunch\n",
			`cpsim.yaml:2:3: the agent cannot be ready in the absence profile "Lunch"`},
		{"a profile that does not exist", "agent:\n  profile: Holiday\n",
			`cpsim.yaml:2:3: profile "Holiday" is not allowed (use one of "Available", "Meeting", "Lunch", "Training")`},
		{"a bad id", "queues:\n  - {name: A, channel: phone, id: abc}\n",
			`cpsim.yaml:2:5: the queue id "abc" is not 32 letters and digits (leave it out and cpsim derives one from the name)`},
		{"a wrong type", "queues:\n  - {name: A, channel: phone, serve: sometimes}\n",
			`cpsim.yaml:2:38: "sometimes" is not true or false`},
		{"a list where a mapping belongs", "agent: [1, 2]\n",
			`cpsim.yaml:1:8: expected a mapping of alias, chat_address, default_email_from, default_sms_from, extension, first_name, id, language, last_name, login_status, phone_status, profile, profiles, recording, sip_host, sip_proxies, terminal_id, username, video, visible_a_number, work_status, found a list`},
		{"a duration without a unit", "queues:\n  - {name: A, channel: phone, wrap_up: 30}\n",
			`cpsim.yaml:2:40: "30" has no unit (write 30s or 30ms)`},
		{"an empty file", "", `cpsim.yaml: the file is empty`},
		{"an unclosed list", "agent:\n  alias: A\n  sip_proxies: [x\n", `cpsim.yaml:3:1: did not find expected ',' or ']'`},
		{"an item where a key belongs", "agent:\n  alias: A\n- x\n", `cpsim.yaml:3:1: did not find expected key`},
		{"a tab", "agent:\n\tfirst_name: Bob\n", `cpsim.yaml:2:1: found character that cannot start any token`},
		{"no queues", "queues: []\n", `cpsim.yaml: there must be at least one queue`},
		{"an ordinal past 100", "extensions:\n  - {key: crm, url: 'https://x', ordinal: 101}\n",
			`cpsim.yaml:2:5: extension crm: ordinal 101 is not allowed (use 0 to 100: 1 to 100 list in that order, 0 or none first)`},
		{"a negative ordinal", "extensions:\n  - {key: crm, url: 'https://x', ordinal: -1}\n",
			`cpsim.yaml:2:5: extension crm: ordinal -1 is not allowed (use 0 to 100: 1 to 100 list in that order, 0 or none first)`},
		{"an ordinal that is no number", "extensions:\n  - {key: crm, url: 'https://x', ordinal: first}\n",
			`cpsim.yaml:2:43: "first" is not a whole number`},
		{"a fractional ordinal", "extensions:\n  - {key: crm, url: 'https://x', ordinal: 1.5}\n",
			`cpsim.yaml:2:43: "1.5" is not a whole number`},
		{"an alias bomb", "agent:\n  sip_proxies:\n" + yamlxtest.Laughs(9, "    "),
			"cpsim.yaml:8:12: aliases expand this file by more than 100000 nodes here (*e alone stands for 66430): an alias is a copy of all its anchor holds, aliases within it included (write the repeated part out, or nest aliases less)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("cpsim.yaml", []byte(tt.src))
			if err == nil {
				t.Fatal("accepted")
			}
			if err.Error() != tt.want {
				t.Errorf("error:\n got %s\nwant %s", err, tt.want)
			}
			var ye *yamlx.Error
			if !errors.As(err, &ye) {
				t.Errorf("%T is not a *yamlx.Error, so callers cannot read its position", err)
			}
		})
	}
}

// FuzzParse: any bytes in, an error or data that a session runs with;
// never a panic.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"agent:\n  first_name: Bob\n",
		"queues:\n  - {name: A, channel: phone, wrap_up: 30s}\n",
		"extensions:\n  - {key: crm, url: 'https://x', queues: [Sales]}\n",
		"agent: &a {first_name: B}\nqueues: *a\n",
		"a: [[[[[[[[[[]]]]]]]]]]\n",
		"---\n---\n",
		yamlxtest.Laughs(9, ""),
		"queues: &q [{name: A, channel: phone, wrap_up: *q}]\n",
	} {
		f.Add([]byte(seed))
	}
	v := statetest.Validator(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := Parse("fuzz.yaml", src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		if _, err := state.New(state.Options{Data: d, Validator: v, IDs: state.SeededIDs(1)}); err != nil {
			t.Fatalf("Parse accepted data that New refuses: %v", err)
		}
	})
}
