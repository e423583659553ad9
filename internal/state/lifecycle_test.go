package state

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// crmInstance returns the crm instance of an interaction.
func crmInstance(t testing.TB, h *harness, interaction string) string {
	t.Helper()
	for _, in := range h.s.Instances() {
		if in.Key == "crm" && in.Interaction == interaction {
			return in.ID
		}
	}
	t.Fatalf("interaction %s has no crm instance", interaction)
	return ""
}

// TestCacheRules walks the init/exit cache rules of the seed: what an
// instance receives, in order, for each sequence of lifecycle messages.
func TestCacheRules(t *testing.T) {
	tests := []struct {
		name string
		run  func(h *harness, call, inst string) Output // the output to inspect
		want string                                     // summary of what inst receives
	}{
		{
			name: "init true delivers the cache after the init response, in order",
			run: func(h *harness, call, inst string) Output {
				return h.recv(inst, `{"id":"i","type":"init","payload":true}`)
			},
			want: "[I:response:{} I:state:status=accepted I:state:channel_status=connected I:state:activeInteraction={}]",
		},
		{
			name: "init false drops the cache",
			run: func(h *harness, call, inst string) Output {
				return h.recv(inst, `{"id":"i","type":"init","payload":false}`)
			},
			want: "[I:response:{}]",
		},
		{
			name: "init without payload drops the cache",
			run: func(h *harness, call, inst string) Output {
				return h.recv(inst, `{"id":"i","type":"init"}`)
			},
			want: "[I:response:{}]",
		},
		{
			name: "after init, messages are delivered at once",
			run: func(h *harness, call, inst string) Output {
				h.recv(inst, `{"id":"i","type":"init","payload":false}`)
				return h.apply(CallState{ID: call, Op: "hold"})
			},
			want: "[I:state:channel_status=onhold]",
		},
		{
			name: "exit is answered ok, and what follows is cached",
			run: func(h *harness, call, inst string) Output {
				h.recv(inst, `{"id":"i","type":"init","payload":false}`)
				o := h.recv(inst, `{"id":"x","type":"exit"}`)
				o.Deliveries = append(o.Deliveries, h.apply(CallState{ID: call, Op: "hold"}).Deliveries...)
				return o
			},
			want: "[I:response:ok]",
		},
		{
			name: "init true after exit delivers what was cached meanwhile",
			run: func(h *harness, call, inst string) Output {
				h.recv(inst, `{"id":"i","type":"init","payload":false}`)
				h.recv(inst, `{"id":"x","type":"exit"}`)
				h.apply(CallState{ID: call, Op: "hold"})
				h.apply(CallState{ID: call, Op: "mute"})
				return h.recv(inst, `{"id":"i2","type":"init","payload":true}`)
			},
			want: "[I:response:{} I:state:channel_status=onhold]",
		},
		{
			name: "init false after exit drops what was cached meanwhile",
			run: func(h *harness, call, inst string) Output {
				h.recv(inst, `{"id":"i","type":"init","payload":false}`)
				h.recv(inst, `{"id":"x","type":"exit"}`)
				h.apply(CallState{ID: call, Op: "hold"})
				return h.recv(inst, `{"id":"i2","type":"init","payload":false}`)
			},
			want: "[I:response:{}]",
		},
		{
			name: "a failed init keeps the cache for the next init",
			run: func(h *harness, call, inst string) Output {
				h.apply(FailNextInit{})
				o := h.recv(inst, `{"id":"i","type":"init","payload":true}`)
				if got := summary(h.t, o); got != "["+inst+":response:error(initiation failure)]" {
					h.t.Errorf("failed init: got %s", got)
				}
				return h.recv(inst, `{"id":"i2","type":"init","payload":true}`)
			},
			want: "[I:response:{} I:state:status=accepted I:state:channel_status=connected I:state:activeInteraction={}]",
		},
		{
			name: "the panel's exit reaches an instance that never sent init, and its cache is dropped",
			run: func(h *harness, call, inst string) Output {
				h.apply(Hangup{ID: call})
				return h.apply(Handle{ID: call})
			},
			want: "[I:exit]",
		},
		{
			name: "handling delivers the handled state, then exit",
			run: func(h *harness, call, inst string) Output {
				h.recv(inst, `{"id":"i","type":"init","payload":false}`)
				h.apply(Hangup{ID: call})
				return h.apply(Handle{ID: call})
			},
			want: "[I:state:status=handled I:exit]",
		},
		{
			name: "an exited instance still gets the panel's exit",
			run: func(h *harness, call, inst string) Output {
				h.recv(inst, `{"id":"i","type":"init","payload":false}`)
				h.recv(inst, `{"id":"x","type":"exit"}`)
				h.apply(Hangup{ID: call})
				return h.apply(Handle{ID: call})
			},
			want: "[I:exit]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			call := h.incoming(Incoming{Channel: Phone})
			h.apply(Accept{ID: call})
			inst := crmInstance(t, h, call)
			o := tt.run(h, call, inst)
			var mine Output
			for _, d := range o.Deliveries {
				if d.To == inst {
					mine.Deliveries = append(mine.Deliveries, d)
				}
			}
			got := strings.ReplaceAll(summary(t, mine), inst+":", "I:")
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("instance received (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInitResponseCarriesTheInteraction(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	call := h.incoming(Incoming{Channel: Phone, CAD: map[string]any{"d1": "041"}})
	h.apply(Accept{ID: call})
	inst := crmInstance(t, h, call)
	o := h.recv(inst, `{"id":"id-init","type":"init","payload":true}`)
	v := responseTo(t, o, "id-init")["value"].(map[string]any)
	if v["id"] != call || v["channel_type"] != "phone" || v["status"] != "accepted" {
		t.Errorf("init value = %v, want the accepted phone interaction %s", v, call)
	}
	if cad := v["attached_data"].(map[string]any); cad["d1"] != "041" {
		t.Errorf("attached_data = %v, want the call's CAD", cad)
	}
}

func TestGlobalInitValue(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	g := h.s.Instances()[0].ID
	o := h.recv(g, `{"id":"g1","type":"init","payload":false}`)
	if v, ok := responseTo(t, o, "g1")["value"].([]any); !ok || len(v) != 0 {
		t.Errorf("global init with no interaction = %v, want [] (CPC.js: ready when payload.value.length is 0)", responseTo(t, o, "g1")["value"])
	}
	call, _ := h.accepted(Phone)
	queued := h.incoming(Incoming{Channel: Chat})
	o = h.recv(g, `{"id":"g2","type":"init","payload":false}`)
	var ids []string
	for _, it := range responseTo(t, o, "g2")["value"].([]any) {
		ids = append(ids, it.(map[string]any)["id"].(string))
	}
	if diff := cmp.Diff([]string{call, queued}, ids); diff != "" {
		t.Errorf("global init: the interactions in the panel (-want +got):\n%s", diff)
	}
}

func TestInstancesStartAndStop(t *testing.T) {
	t.Parallel()
	h := newHarness(t, func(d *Data) {
		d.Extensions = append(d.Extensions, ExtensionData{Key: "sales", URL: "https://ext.example.com/sales", Queues: []string{"Sales"}})
	})
	if got := h.s.Instances(); len(got) != 1 || got[0].Key != "bg" || got[0].Phase != PhaseLoaded {
		t.Fatalf("at start: %+v, want the global bg instance only, loaded", got)
	}

	// A call on Support: crm serves every queue, sales only Sales.
	support := h.incoming(Incoming{Channel: Phone, Queue: "Support"})
	o := h.apply(Accept{ID: support})
	if got := changes(o); !cmp.Equal(got, []string{"started crm"}) {
		t.Errorf("accept on Support: %v, want crm only", got)
	}
	h.apply(Hangup{ID: support})
	h.apply(Handle{ID: support})
	sales := h.incoming(Incoming{Channel: Phone, Queue: "Sales"})
	if got := changes(h.apply(Accept{ID: sales})); !cmp.Equal(got, []string{"started crm", "started sales"}) {
		t.Errorf("accept on Sales: %v", got)
	}
	h.apply(Hangup{ID: sales})
	if got := changes(h.apply(Handle{ID: sales})); !cmp.Equal(got, []string{"stopped crm", "stopped sales"}) {
		t.Errorf("handle on Sales: %v", got)
	}

	o = h.apply(Logout{})
	if got := changes(o); !cmp.Equal(got, []string{"stopped bg"}) {
		t.Errorf("logout: %v", got)
	}
	g := "bg-1"
	if got := events(t, o, g); !cmp.Equal(got, []string{"exit"}) {
		t.Errorf("global instance got %v on logout, want exit (it had not sent init, so its status was cached and dropped)", got)
	}
	o = h.apply(Login{})
	if got := changes(o); !cmp.Equal(got, []string{"started bg"}) {
		t.Errorf("login: %v", got)
	}
	newG := o.Changes[0].Instance.ID
	o = h.recv(newG, `{"id":"i","type":"init","payload":true}`)
	if got := events(t, o, newG); !cmp.Equal(got, []string{"login_status=logged_in", "work_status=not_ready"}) {
		t.Errorf("new global instance's cache: %v", got)
	}
}

func changes(o Output) []string {
	var out []string
	for _, c := range o.Changes {
		out = append(out, string(c.Kind)+" "+c.Instance.Key)
	}
	return out
}

// TestWhoHearsWhat pins down the routing decided in docs/spec-notes.md: an
// interaction-specific instance hears its own interaction, a global one
// hears all, status goes to everyone.
func TestWhoHearsWhat(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	g := h.global()
	a, instA := h.accepted(Phone)
	_, instB := h.accepted(Chat)

	o := h.apply(CallState{ID: a, Op: "hold"})
	if got := events(t, o, instA); !cmp.Equal(got, []string{"channel_status=onhold"}) {
		t.Errorf("A's own instance: %v", got)
	}
	if got := events(t, o, instB); len(got) != 0 {
		t.Errorf("B's instance heard A's state: %v", got)
	}
	if got := events(t, o, g); !cmp.Equal(got, []string{"channel_status=onhold"}) {
		t.Errorf("global instance: %v", got)
	}

	o = h.apply(SetWorkStatus{Status: "not_ready"})
	for _, in := range []string{g, instA, instB} {
		if got := events(t, o, in); !cmp.Equal(got, []string{"work_status=not_ready"}) {
			t.Errorf("%s: %v, want the status", in, got)
		}
	}

	// Selecting A tells A's instances and the global ones, not B's.
	o = h.apply(SelectInteraction{ID: a})
	if got := events(t, o, instA); !cmp.Equal(got, []string{"activeInteraction={}"}) {
		t.Errorf("A's instance on select: %v", got)
	}
	if got := events(t, o, instB); len(got) != 0 {
		t.Errorf("B's instance on selecting A: %v", got)
	}

	// No interaction active: the null names none, so the global instances
	// hear it, and no interaction's instances do.
	o = h.apply(Deselect{})
	if got := events(t, o, g); !cmp.Equal(got, []string{"activeInteraction=null"}) {
		t.Errorf("global instance on deselect: %v", got)
	}
	for _, in := range []string{instA, instB} {
		if got := events(t, o, in); len(got) != 0 {
			t.Errorf("%s on deselect: %v", in, got)
		}
	}
	if v := h.s.View(); v.Active != "" {
		t.Errorf("after deselect the view's active is %q", v.Active)
	}
	for _, m := range messages(t, o) {
		if _, named := m.Payload["interaction"]; named {
			t.Errorf("activeInteraction null names an interaction: %v", m.Payload)
		}
	}
}

func TestActionsNeedInit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	call := h.incoming(Incoming{Channel: Phone})
	h.apply(Accept{ID: call})
	inst := crmInstance(t, h, call)

	p, _ := h.action(inst, `{"command":"detail","value":"user"}`)
	if r := errorReason(p); !strings.Contains(r, "has not sent init") {
		t.Errorf("action before init: %q", r)
	}
	h.recv(inst, `{"id":"i","type":"init"}`)
	h.recv(inst, `{"id":"x","type":"exit"}`)
	p, _ = h.action(inst, `{"command":"detail","value":"user"}`)
	if r := errorReason(p); !strings.Contains(r, "sent exit") {
		t.Errorf("action after exit: %q", r)
	}
}

func TestCacheLimit(t *testing.T) {
	t.Parallel()
	d := testData(t)
	s, err := New(Options{Data: d, Validator: sharedValidator(), IDs: SeededIDs(1), Clock: SteppingClock(t0, time.Second), CacheLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, ws := range []string{"not_ready", "ready", "not_ready", "ready", "not_ready"} {
		if _, err := s.Apply(SetWorkStatus{Status: ws}); err != nil {
			t.Fatal(err)
		}
	}
	o := s.Receive("bg-1", []byte(`{"id":"i","type":"init","payload":true}`))
	if got := events(t, o, "bg-1"); !cmp.Equal(got, []string{"work_status=not_ready", "work_status=ready", "work_status=not_ready"}) {
		t.Errorf("after overflow the cache holds %v, want the latest 3", got)
	}
	if len(o.Diagnostics) != 1 || !strings.Contains(o.Diagnostics[0].Text, "2 cached messages (170 B) were dropped before init") {
		t.Errorf("diagnostics = %v, want one saying 2 were dropped", o.Diagnostics)
	}
}

func TestDelayedInitKeepsOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.apply(SetWorkStatus{Status: "not_ready"})
	h.apply(DelayCommand{Command: "init", By: 500 * time.Millisecond})
	o := h.recv("bg-1", `{"id":"i","type":"init","payload":true}`)
	if len(o.Deliveries) != 2 {
		t.Fatalf("got %s", summary(t, o))
	}
	for _, d := range o.Deliveries {
		if d.Delay != 500*time.Millisecond {
			t.Errorf("%s delivered with delay %v, want the init's 500ms so the cache stays behind its response", d.Type, d.Delay)
		}
	}
}

func TestInitPayloadMustBeBoolean(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	o := h.recv("bg-1", `{"id":"i","type":"init","payload":"yes"}`)
	if r := errorReason(responseTo(t, o, "i")); !strings.Contains(r, "must be true") {
		t.Errorf("reason = %q", r)
	}
	if in := h.s.Instances()[0]; in.Phase != PhaseLoaded {
		t.Errorf("after a refused init the instance is %s, want loaded", in.Phase)
	}
}
