package scenario

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cpsim/cpsim/internal/state"
)

// TestRecordThenReplay: what the agent did in the page, as the recorder
// sends it, becomes a scenario that reads back to the same events, with
// the interactions named and the waits between them.
func TestRecordThenReplay(t *testing.T) {
	t.Parallel()
	ev := func(e state.Event) json.RawMessage {
		b, err := state.EncodeEvent(e)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	rec := Recording{
		Name: "Recorded session",
		Start: RecordedStart{
			Agent:    map[string]string{"login_status": "logged_in", "work_status": "ready"},
			Unserved: []string{"Support"},
			Faults:   state.FaultsView{Delay: map[string]string{"detail": "500ms"}},
			IDs:      map[string]*Whatis{"old-1": {Channel: state.Chat, Status: "accepted"}},
		},
		Entries: []Recorded{
			{At: 1000, Event: ev(state.Incoming{Channel: state.Phone, Queue: "Sales", From: "+358401234567"}), Created: "id-1"},
			{At: 4200, Event: ev(state.Accept{ID: "id-1"})},
			{At: 4300, Event: ev(state.CallState{ID: "id-1", Op: "hold"})},
			{At: 5000, Event: ev(state.Record{ID: "id-1", On: true})},
			{At: 5100, Event: ev(state.Say{ID: "old-1", From: "agent", Text: "One moment: #1"})},
			{At: 5200, Event: ev(state.Hangup{ID: "ext-9"}), Info: &Whatis{Channel: state.Phone, Status: "accepted", Outbound: true}},
			{At: 5250, Event: ev(state.SendDraft{ID: "ext-8", Content: "Edited"}), Info: &Whatis{Channel: state.SMS, Status: "outgoing", Outbound: true}, Created: "ext-8"},
			{At: 5260, Event: ev(state.Send{Instance: "crm-1", Data: json.RawMessage(`{"id":"x","type":"state","payload":{}}`)})},
			{At: 5300, Event: json.RawMessage(`{"type":"select_extension","instance":"crm-1"}`)},
			{At: 5400, Event: json.RawMessage(`{"type":"scenario_stop"}`)},
			{At: 16000, Event: ev(state.DelayCommand{Command: "detail"})},
		},
	}
	src, steps, _ := FormatRecording(rec)
	want := `# Recorded in cpsim. Add expect steps for what the extension should do (docs/scenarios.md).
name: Recorded session
description: "Recorded in the panel: call1 (phone), chat1 (chat), out1 (phone), out2 (sms)."
agent: {login_status: logged_in, work_status: ready}
steps:
  # the panel as it was when the recording started
  - serve: {queue: Support, on: false}
  - delay: {command: detail, by: 500ms}
  # in the panel before the recording (a scenario starts with an empty one: create them with incoming and accept)
  - name: {as: chat1, channel: chat, status: accepted}
  # what the agent did
  - incoming: {as: call1, channel: phone, queue: Sales, from: "+358401234567"}
  - wait: 3s
  - accept: call1
  - hold: call1
  - record: {in: call1, do: start}
  - say: {in: chat1, from: agent, text: "One moment: #1"}
  # an extension created it (not the agent): add an expect for its action before this
  - name: {as: out1, channel: phone, status: accepted}
  - hangup: out1
  # an extension created it (not the agent): add an expect for its action before this
  - name: {as: out2, channel: sms, status: outgoing}
  - send: {in: out2, content: Edited}
  - post: {id: x, payload: {}, type: state}
  - wait: 11s
  - delay: {command: detail, by: 0s}
`
	if diff := cmp.Diff(strings.Split(want, "\n"), strings.Split(string(src), "\n")); diff != "" {
		t.Errorf("recording (-want +got):\n%s", diff)
	}
	if steps != 16 {
		t.Errorf("%d steps, want 16", steps)
	}
	sc, err := Parse("recorded.yaml", src, base(t))
	if err != nil {
		t.Fatal(err)
	}
	var got []state.Event
	for _, st := range sc.Steps {
		if st.Event != nil {
			got = append(got, st.Event)
		}
	}
	wantEvents := []state.Event{
		state.SetServe{Queue: "Support"}, state.DelayCommand{Command: "detail", By: 500e6},
		state.Incoming{Channel: state.Phone, Queue: "Sales", From: "+358401234567"},
		state.Accept{ID: "call1"}, state.CallState{ID: "call1", Op: "hold"}, state.Record{ID: "call1", On: true},
		state.Say{ID: "chat1", From: "agent", Text: "One moment: #1"}, state.Hangup{ID: "out1"},
		state.SendDraft{ID: "out2", Content: "Edited"},
		state.DelayCommand{Command: "detail"},
	}
	if diff := cmp.Diff(wantEvents, got); diff != "" {
		t.Errorf("replayed events (-want +got):\n%s", diff)
	}
	if sc.Data.Agent.WorkStatus != "ready" {
		t.Errorf("agent = %+v", sc.Data.Agent)
	}
}
