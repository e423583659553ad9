package state

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestCacheBytes: the caches of a session hold at most Options.CacheBytes
// together; past it, the oldest messages of the biggest cache go, and the
// init response's note says how many and how much (issue 11).
func TestCacheBytes(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Data: testData(t), Validator: sharedValidator(), IDs: SeededIDs(1), Clock: SteppingClock(t0, time.Second), CacheBytes: 500})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		if _, err := s.Apply(SetWorkStatus{Status: []string{"not_ready", "ready"}[i%2]}); err != nil {
			t.Fatal(err)
		}
		if got := s.CacheBytes(); got > 500 {
			t.Fatalf("after %d changes the caches hold %d bytes, more than 500", i+1, got)
		}
	}
	o := s.Receive("bg-1", []byte(`{"id":"i","type":"init","payload":true}`))
	got := events(t, o, "bg-1")
	if len(got) == 0 || len(got) >= 20 || got[len(got)-1] != "work_status=ready" {
		t.Errorf("the cache delivered %v: want the latest few, ending with the last change", got)
	}
	if len(o.Diagnostics) != 1 || !strings.Contains(o.Diagnostics[0].Text, fmt.Sprintf("%d cached messages (", 20-len(got))) ||
		!strings.Contains(o.Diagnostics[0].Text, "hold 500 B together") {
		t.Errorf("diagnostics = %v, want one saying what was dropped, and the limit", o.Diagnostics)
	}
	if s.CacheBytes() != 0 {
		t.Errorf("after init the caches hold %d bytes", s.CacheBytes())
	}
}

// TestViewCarriesTheLatestMessages: the page's view of a long chat
// carries its latest ViewMessages messages and counts the others; the
// interaction itself keeps them all.
func TestViewCarriesTheLatestMessages(t *testing.T) {
	t.Parallel()
	s, err := New(Options{Data: testData(t), Validator: sharedValidator(), IDs: SeededIDs(1), Clock: SteppingClock(t0, time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	o, err := s.Apply(Incoming{Channel: "chat"})
	if err != nil {
		t.Fatal(err)
	}
	id := o.Created
	for i := range ViewMessages + 50 {
		if _, err := s.Apply(Say{ID: id, From: "customer", Text: fmt.Sprint("message ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	iv := s.View().Interactions[0]
	if iv.EarlierMessages != 50 || len(iv.Transcript.Messages) != ViewMessages {
		t.Fatalf("the view has %d messages and %d earlier, want %d and 50", len(iv.Transcript.Messages), iv.EarlierMessages, ViewMessages)
	}
	if got := iv.Transcript.Messages[ViewMessages-1].Message; got != fmt.Sprint("message ", ViewMessages+49) {
		t.Errorf("the view's last message is %q", got)
	}
	if n := len(s.interactions[0].Transcript.Messages); n != ViewMessages+50 {
		t.Errorf("the interaction holds %d messages, want all %d", n, ViewMessages+50)
	}
}
