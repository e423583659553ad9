package state

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReloadKeepsUndeliveredEvents(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	call, inst := h.accepted(Phone)
	// The page got these, but reloaded before posting them.
	lost := h.apply(CallState{ID: call, Op: "hold"}).Deliveries
	lost = append(lost, h.recv(inst, `{"id":"q","type":"action","payload":{"command":"detail","value":"queue"}}`).Deliveries...)

	var mine []Delivery
	for _, d := range lost {
		if d.To == inst {
			mine = append(mine, d)
		}
	}
	o := h.s.Reload(mine)
	if len(o.Deliveries) != 0 {
		t.Errorf("reload delivered %s", summary(t, o))
	}
	for _, in := range h.s.Instances() {
		if in.Phase != PhaseLoaded {
			t.Errorf("after reload %s is %s, want loaded", in.ID, in.Phase)
		}
	}
	// Produced after the reload, before the new init: cached.
	h.apply(CallState{ID: call, Op: "unhold"})
	o = h.recv(inst, `{"id":"i","type":"init","payload":true}`)
	want := []string{"channel_status=onhold", "channel_status=connected"}
	if got := events(t, o, inst); !cmp.Equal(got, want) {
		t.Errorf("the new page's init delivered %v, want the lost hold, then the unhold: %v", got, want)
	}
	for _, m := range messages(t, o) {
		if m.Type == "response" && m.ID == "q" {
			t.Error("a response to the previous page's request was replayed")
		}
	}
}

func TestShutdownExitsEveryInstance(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, inst := h.accepted(Chat)
	o := h.s.Shutdown()
	got := map[string]bool{}
	for _, m := range messages(t, o) {
		if m.Type == "exit" {
			got[m.To] = true
		}
	}
	if !got[inst] || !got["bg-1"] || len(got) != 2 {
		t.Errorf("exits went to %v, want %s and bg-1", got, inst)
	}
	if n := len(h.s.Instances()); n != 0 {
		t.Errorf("%d instances left", n)
	}
}
