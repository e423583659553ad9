package state

import (
	"testing"
)

// TestOrdinalStaysInThePanel: an extension's ordinal (the System
// Configurator's place in the sidebar) orders the page's sidebar, so the
// page's view carries it; the extension's own detail answers do not, since
// the seed's extension definition and its detail example have none, and an
// extension must not count on a field production may not send.
func TestOrdinalStaysInThePanel(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(d *Data) {
		d.Extensions[0].Ordinal = 7
		d.Extensions[1].Ordinal = 100
	})
	_, inst := h.accepted(Phone)
	h.apply(SelectExtension{Instance: inst})
	want := map[string]int{"crm": 7, "bg": 100}
	for _, in := range h.s.View().Instances {
		if in.Ordinal != want[in.Key] {
			t.Errorf("the view shows %s with ordinal %d, want %d", in.ID, in.Ordinal, want[in.Key])
		}
	}
	for _, v := range []string{"extension", "activeExtension"} {
		p, _ := h.action(inst, `{"command":"detail","value":"`+v+`"}`)
		ext, ok := p["value"].(map[string]any)
		if !ok {
			t.Fatalf("detail %s = %v", v, p)
		}
		if o, has := ext["ordinal"]; has {
			t.Errorf("detail %s carries ordinal %v", v, o)
		}
	}
}
