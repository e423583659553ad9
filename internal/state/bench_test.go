package state

import (
	"fmt"
	"testing"
	"time"
)

// Results are written up in docs/performance.md.

func benchSession(b *testing.B, check bool, extensions int) (*Session, string, string) {
	b.Helper()
	d := testData(b)
	d.Extensions = nil
	for i := range extensions {
		d.Extensions = append(d.Extensions, ExtensionData{Key: fmt.Sprintf("ext%d", i), URL: "https://ext.example.com/"})
	}
	s, err := New(Options{Data: d, Validator: sharedValidator(), IDs: SeededIDs(1),
		Clock: SteppingClock(t0, time.Millisecond), CheckOutbound: check})
	if err != nil {
		b.Fatal(err)
	}
	o, err := s.Apply(Incoming{Channel: Phone, CAD: map[string]any{"d1": "041", "customer": "C-1001"}})
	if err != nil {
		b.Fatal(err)
	}
	call := o.Created
	if o, err = s.Apply(Accept{ID: call}); err != nil {
		b.Fatal(err)
	}
	for _, c := range o.Changes {
		s.Receive(c.Instance.ID, []byte(`{"id":"init","type":"init","payload":false}`))
	}
	return s, call, o.Changes[0].Instance.ID
}

func benchDetail(b *testing.B, value string, check bool) {
	s, _, inst := benchSession(b, check, 1)
	msg := []byte(`{"id":"cpc-7","type":"action","payload":{"command":"detail","value":"` + value + `"}}`)
	b.ReportAllocs()
	for b.Loop() {
		o := s.Receive(inst, msg)
		if len(o.Deliveries) != 1 || len(o.Diagnostics) != 0 {
			b.Fatalf("unexpected output: %+v", o)
		}
	}
}

// BenchmarkDetailUser is one detail action, the extension's most common
// request: decode, validate against the schema, answer with the user.
func BenchmarkDetailUser(b *testing.B) { benchDetail(b, "user", false) }

// BenchmarkDetailInteraction answers with the interaction object.
func BenchmarkDetailInteraction(b *testing.B) { benchDetail(b, "interaction", false) }

// BenchmarkDetailUserChecked also validates the response (--strict).
func BenchmarkDetailUserChecked(b *testing.B) { benchDetail(b, "user", true) }

func benchFanOut(b *testing.B, check bool) {
	s, call, _ := benchSession(b, check, 10)
	if n := len(s.Instances()); n != 10 {
		b.Fatalf("%d instances, want 10", n)
	}
	hold, unhold := CallState{ID: call, Op: "hold"}, CallState{ID: call, Op: "unhold"}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ev := Event(hold)
		if i%2 == 1 {
			ev = unhold
		}
		i++
		o, err := s.Apply(ev)
		if err != nil || len(o.Deliveries) != 10 {
			b.Fatalf("%v: %d deliveries", err, len(o.Deliveries))
		}
	}
}

// BenchmarkStateFanOut10 is one state change heard by 10 instances.
func BenchmarkStateFanOut10(b *testing.B) { benchFanOut(b, false) }

// BenchmarkStateFanOut10Checked also validates the state message.
func BenchmarkStateFanOut10Checked(b *testing.B) { benchFanOut(b, true) }
