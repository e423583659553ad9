package scenario

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/cpsim/cpsim/internal/state"
)

// Recording is what the page's recorder keeps while the agent works in the
// panel (docs/relay.md, the rec frame): the panel as it was when the
// recording started, and every event that succeeded, with when.
type Recording struct {
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Start       RecordedStart `json:"start"`
	Entries     []Recorded    `json:"entries"`
}

// RecordedStart is the panel when a recording started.
type RecordedStart struct {
	Agent    map[string]string  `json:"agent"` // login_status, work_status, phone_status, profile
	Unserved []string           `json:"unserved"`
	Faults   state.FaultsView   `json:"faults"`
	IDs      map[string]*Whatis `json:"ids"` // the interactions in the panel, by id
}

// Recorded is one event the agent did while recording.
type Recorded struct {
	At      int64           `json:"at"` // milliseconds, the page's clock
	Event   json.RawMessage `json:"ev"` // as the e frame carried it
	Info    *Whatis         `json:"info"`
	Created string          `json:"created"` // the r frame's created
}

// Whatis is what the page knew of an interaction an event named.
type Whatis struct {
	Channel  string `json:"channel"`
	Status   string `json:"status"`
	Outbound bool   `json:"outbound"`
	Consult  bool   `json:"consult"`
}

// FromRecording turns a recording into a scenario that replays it: a step
// for every event, with the waits between them, and names for the
// interactions (call1, chat1, out1): those the recording did not see
// created get a name step, at the start when they were in the panel
// already. It also returns the names, with their channels, for a
// description. Events no step performs are left out, with a note.
func FromRecording(rec Recording) (*Scenario, []string) {
	b := recorder{rec: rec, names: map[string]string{}, counts: map[string]int{}}
	var prev int64
	for _, e := range rec.Entries {
		if prev != 0 && e.At-prev > 1000 {
			b.steps = append(b.steps, waitStep(time.Duration(e.At-prev)*time.Millisecond))
		}
		prev = e.At
		b.entry(e)
	}
	sc := &Scenario{Name: rec.Name, Description: rec.Description}
	var agent []string
	for _, k := range []string{"login_status", "work_status", "phone_status", "profile"} {
		if v := rec.Start.Agent[k]; v != "" {
			agent = append(agent, k+": "+yamlString(v))
		}
	}
	if len(agent) > 0 {
		sc.sections = append(sc.sections, section{"agent", "{" + strings.Join(agent, ", ") + "}"})
	}
	setup := b.setup()
	if len(setup) > 0 || len(b.startNames) > 0 {
		if len(setup) > 0 {
			setup[0].Note = "the panel as it was when the recording started"
		}
		if len(b.startNames) > 0 {
			b.startNames[0].Note = "in the panel before the recording (a scenario starts with an empty one: create them with incoming and accept)"
		}
		if len(b.steps) > 0 {
			b.steps[0].Note = strings.TrimPrefix(b.steps[0].Note+"\nwhat the agent did", "\n")
		}
	}
	sc.Steps = append(append(setup, b.startNames...), b.steps...)
	return sc, b.named
}

// FormatRecording is Format of FromRecording, with a first line that says
// where the file comes from, and how many steps and what description the
// file has. The description, when the recording has none, names the
// interactions.
func FormatRecording(rec Recording) (yaml []byte, steps int, description string) {
	sc, names := FromRecording(rec)
	if sc.Description == "" {
		sc.Description = "Recorded in the panel"
		if len(names) > 0 {
			sc.Description += ": " + strings.Join(names, ", ")
		}
		sc.Description += "."
	}
	out := "# Recorded in cpsim. Add expect steps for what the extension should do (docs/scenarios.md).\n" + string(Format(sc))
	return []byte(out), len(sc.Steps), sc.Description
}

// recorder builds the steps of a recording.
type recorder struct {
	rec        Recording
	names      map[string]string // interaction id: name
	counts     map[string]int
	named      []string // "call1 (phone)"
	startNames []Step
	steps      []Step
}

func (b *recorder) fresh(prefix string) string {
	b.counts[prefix]++
	return fmt.Sprintf("%s%d", prefix, b.counts[prefix])
}

func prefixOf(w *Whatis) string {
	switch {
	case w == nil:
		return "it"
	case w.Outbound:
		return "out"
	case w.Consult:
		return "cons"
	}
	return channelPrefix(w.Channel)
}

func channelPrefix(channel string) string {
	switch channel {
	case state.Phone:
		return "call"
	case state.Chat:
		return "chat"
	case state.Email:
		return "mail"
	case state.SMS:
		return "sms"
	case state.WhatsApp:
		return "wa"
	}
	return "it"
}

// ref names an interaction an event acts on.
func (b *recorder) ref(id string, e Recorded) string {
	if name, ok := b.names[id]; ok {
		return name
	}
	before := b.rec.Start.IDs[id]
	w := before
	if w == nil {
		w = e.Info
	}
	as := b.fresh(prefixOf(w))
	b.names[id] = as
	var pairs []string
	pairs = append(pairs, "as: "+yamlString(as))
	label := as
	if w != nil {
		label = fmt.Sprintf("%s (%s)", as, w.Channel)
		if w.Channel != "" {
			pairs = append(pairs, "channel: "+yamlString(w.Channel))
		}
		if w.Status != "" {
			pairs = append(pairs, "status: "+yamlString(w.Status))
		}
	}
	b.named = append(b.named, label)
	st := Step{Kind: "name", Text: "name: {" + strings.Join(pairs, ", ") + "}"}
	if before != nil {
		b.startNames = append(b.startNames, st)
	} else {
		st.Note = "an extension created it (not the agent): add an expect for its action before this"
		b.steps = append(b.steps, st)
	}
	return as
}

// create names an interaction an event created.
func (b *recorder) create(e Recorded, prefix, channel string) string {
	as := b.fresh(prefix)
	if e.Created != "" {
		b.names[e.Created] = as
	}
	if channel != "" {
		b.named = append(b.named, fmt.Sprintf("%s (%s)", as, channel))
	} else {
		b.named = append(b.named, as)
	}
	return as
}

// entry adds the steps of one recorded event.
func (b *recorder) entry(e Recorded) {
	ev, err := state.DecodeEvent(e.Event)
	if err != nil {
		return // a scenario event, or one the server refused anyway
	}
	k, _ := state.KindOf(ev)
	switch x := ev.(type) {
	case state.Send:
		var m any
		_ = json.Unmarshal(x.Data, &m)
		b.steps = append(b.steps, Step{Kind: "post", Text: "post: " + yamlValue(m)})
		return
	case state.State:
		if x.ID != "" && b.names[x.ID] == "" && b.rec.Start.IDs[x.ID] == nil && e.Info == nil {
			ev = state.State{Attribute: x.Attribute, Value: x.Value} // an id the recording cannot name
		}
	}
	if k.StepName() == "" {
		return
	}
	st := Step{Kind: k.StepName()}
	if f, ok := refOf(ev); ok {
		if id := reflect.ValueOf(ev).Field(f.Index).String(); id != "" {
			ev = withField(ev, f, b.ref(id, e))
		}
	}
	switch x := ev.(type) {
	case state.Incoming:
		st.As = b.create(e, channelPrefix(x.Channel), x.Channel)
	case state.Outbound:
		st.As = b.create(e, "out", x.Channel)
	case state.Consult:
		st.As = b.create(e, "cons", "")
	}
	st.Event = ev
	b.steps = append(b.steps, st)
}

func refOf(ev state.Event) (state.Field, bool) { return refField(state.Fields(ev)) }

// setup are the steps that bring a fresh panel to where the recording
// started: the queues not served, the faults.
func (b *recorder) setup() []Step {
	var out []Step
	for _, q := range b.rec.Start.Unserved {
		out = append(out, Step{Kind: "serve", Event: state.SetServe{Queue: q}})
	}
	f := b.rec.Start.Faults
	if f.FailNextInit != "" {
		out = append(out, Step{Kind: "fail_next_init", Event: state.FailNextInit{Reason: f.FailNextInit}})
	}
	for _, cmd := range sortedKeys(f.Fail) {
		out = append(out, Step{Kind: "fail", Event: state.FailCommand{Command: cmd, Reason: f.Fail[cmd]}})
	}
	for _, cmd := range sortedKeys(f.Delay) {
		if d, err := time.ParseDuration(f.Delay[cmd]); err == nil {
			out = append(out, Step{Kind: "delay", Event: state.DelayCommand{Command: cmd, By: d}})
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// waitStep is a wait of a gap between two events, rounded to the second,
// or to half a second under 5 s.
func waitStep(d time.Duration) Step {
	s := d.Seconds()
	if s < 5 {
		s = math.Round(s*2) / 2
	} else {
		s = math.Round(s)
	}
	text := "wait: " + (time.Duration(s * float64(time.Second))).String()
	return Step{Kind: "wait", Text: text}
}
