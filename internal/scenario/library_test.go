package scenario

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/config"
	"github.com/cpsim/cpsim/internal/yamlx"
	"github.com/cpsim/cpsim/scenarios"
)

// usersQueues is a config with the user's own queues, as the README's
// example has them: Sales (phone) and Web Chat (chat), none of those the
// built-in scenarios name but Sales.
const usersQueues = `queues:
  - {name: Sales, channel: phone}
  - {name: Web Chat, channel: chat}
`

// TestParseLibraryUnderAConfig: under a config with the user's own queues,
// the built-in scenarios that name others are left out, each with why;
// the others are kept.
func TestParseLibraryUnderAConfig(t *testing.T) {
	t.Parallel()
	d, err := config.Parse("cpsim.yaml", []byte(usersQueues))
	if err != nil {
		t.Fatal(err)
	}
	library, skipped := ParseLibrary(scenarios.Files(), d)
	var kept []string
	for _, sc := range library {
		kept = append(kept, sc.File)
	}
	if diff := cmp.Diff([]string{"chat.yaml", "inbound-call.yaml", "outbound-call.yaml", "rough.yaml"}, kept); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	var got []string
	for _, s := range skipped {
		got = append(got, s.Error())
	}
	const why = " is left out: it needs queues your -config does not have ("
	want := []string{
		"the built-in scenario agents-day.yaml" + why + `agents-day.yaml:23:50: queue of channel phone "Support" is not allowed (use one of Sales))`,
		"the built-in scenario call-rejected.yaml" + why + `call-rejected.yaml:4:50: queue of channel phone "Support" is not allowed (use one of Sales))`,
		"the built-in scenario consultation.yaml" + why + `consultation.yaml:4:50: queue of channel phone "Support" is not allowed (use one of Sales))`,
		"the built-in scenario email.yaml" + why + `email.yaml:4:15: no queue takes email (add a queue of that channel to the scenario's queues))`,
		"the built-in scenario sms.yaml" + why + `sms.yaml:4:15: no queue takes sms (add a queue of that channel to the scenario's queues))`,
		"the built-in scenario transfer-with-cad.yaml" + why + `transfer-with-cad.yaml:4:50: queue of channel phone "Support" is not allowed (use one of Sales))`,
		"the built-in scenario whatsapp.yaml" + why + `whatsapp.yaml:4:15: no queue takes whatsapp (add a queue of that channel to the scenario's queues))`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	var ye *yamlx.Error
	if !errors.As(skipped[0], &ye) || ye.Line != 23 {
		t.Errorf("a skipped scenario's error does not hold the position: %v", ye)
	}
	if !skipped[0].Named("agents-day") || !skipped[0].Named("agents-day.yaml") || skipped[0].Named("agents") {
		t.Error("Named does not take the names cpsim test takes")
	}

	// With the built-in data, none is left out.
	if library, skipped := ParseLibrary(scenarios.Files(), base(t)); len(skipped) > 0 || len(library) < 11 {
		t.Errorf("with the built-in data: %d kept, skipped %v", len(library), skipped)
	}
}

// TestSkipReasons: what a built-in scenario lacks, said in a few words,
// with every mistake kept in the error.
func TestSkipReasons(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"a-lacks.yaml":  {Data: []byte("name: a\nsteps:\n  - profile: Gone\n  - serve: {queue: Nowhere, on: true}\n  - expect: {type: init, from: crm}\n")},
		"b-broken.yaml": {Data: []byte("name: b\nsteps:\n  - teleport\n")},
		"c-fine.yaml":   {Data: []byte("name: c\nsteps:\n  - login\n")},
		"notes.txt":     {Data: []byte("not a scenario")},
	}
	library, skipped := ParseLibrary(fsys, base(t))
	if len(library) != 1 || library[0].File != "c-fine.yaml" {
		t.Errorf("library = %v", library)
	}
	type reason struct{ File, Reason, First string }
	var got []reason
	for _, s := range skipped {
		first, _, _ := strings.Cut(s.Err.Error(), "\n")
		got = append(got, reason{s.File, s.Reason, first})
	}
	want := []reason{
		{"a-lacks.yaml", "it needs queues, presence profiles and extensions your -config does not have", `a-lacks.yaml:3:14: profile "Gone" is not allowed (use one of Available, Meeting, Lunch, Training)`},
		{"b-broken.yaml", "it does not fit the agent, queues and extensions cpsim runs with", `b-broken.yaml:3:5: unknown step "teleport" (known keys: ` + strings.Join(StepKinds(), ", ") + ")"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(skipped[0].Error(), ", and 2 more)") {
		t.Errorf("the one line of a scenario with three mistakes: %s", skipped[0].Error())
	}
	if _, err := ParseAll(fsys, base(t)); err == nil || !strings.HasPrefix(err.Error(), "a-lacks.yaml:3:14:") {
		t.Errorf("ParseAll: %v, want the first file's mistakes", err)
	}
}
