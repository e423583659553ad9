package host

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cpsim/cpsim/internal/state"
	"github.com/cpsim/cpsim/internal/state/statetest"
)

// orderRig drives one session's engine and its delivery scheduling without
// a page, inside a synctest bubble: time is the bubble's, so injected
// delays pass at once and exactly. It records every delivery in the order
// the engine produced it, and reads the order the page would post them in
// from the session's outbox.
type orderRig struct {
	t        *testing.T
	srv      *Server
	ss       *session
	produced []state.Delivery
	msgN     int
}

func newOrderRig(t *testing.T) *orderRig {
	t.Helper()
	srv, err := New(Config{Logger: discardLogger(), Data: testData(t), Validator: statetest.Validator(t), Assets: testAssets, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	ss, err := srv.newSession("")
	if err != nil {
		t.Fatal(err)
	}
	return &orderRig{t: t, srv: srv, ss: ss}
}

func (r *orderRig) absorb(o state.Output) {
	r.produced = append(r.produced, o.Deliveries...)
	r.srv.locked(r.ss, func(b *batch) { r.ss.absorb(b, o) })
}

// apply performs a panel event; a refusal is fine (the sequence is random).
func (r *orderRig) apply(ev state.Event) string {
	r.ss.mu.Lock()
	o, _ := r.ss.eng.Apply(ev)
	r.ss.mu.Unlock()
	r.absorb(o)
	return o.Created
}

// ext posts a message from an instance, numbering its id.
func (r *orderRig) ext(inst, typ, payload string) {
	r.msgN++
	msg := fmt.Sprintf(`{"id":"x-%d","type":%q`, r.msgN, typ)
	if payload != "" {
		msg += `,"payload":` + payload
	}
	r.ss.mu.Lock()
	o := r.ss.eng.Receive(inst, []byte(msg+"}"))
	r.ss.mu.Unlock()
	r.absorb(o)
}

func (r *orderRig) view() state.View {
	r.ss.mu.Lock()
	defer r.ss.mu.Unlock()
	return r.ss.eng.View()
}

// arrived lists the deliveries in the order the page gets them.
func (r *orderRig) arrived() []state.Delivery {
	r.ss.mu.Lock()
	defer r.ss.mu.Unlock()
	out := make([]state.Delivery, len(r.ss.outbox))
	for i, q := range r.ss.outbox {
		out[i] = q.d
	}
	return out
}

// checkOrder holds the rule of state.Delivery.Fence: per instance, a
// delivery arrives after every one produced before it, unless that one is
// an action response late by its own injected delay (which later events
// may overtake, as in production); and every delivery arrives.
func (r *orderRig) checkOrder() {
	r.t.Helper()
	type key struct{ to, data string }
	pos := map[key]int{}
	for i, d := range r.produced {
		pos[key{d.To, string(d.Data)}] = i
	}
	got := r.arrived()
	if len(got) != len(r.produced) {
		r.t.Fatalf("%d deliveries arrived, %d were produced", len(got), len(r.produced))
	}
	last := map[string][]int{} // per instance, production indexes in arrival order
	for _, d := range got {
		i, ok := pos[key{d.To, string(d.Data)}]
		if !ok {
			r.t.Fatalf("a delivery arrived that was never produced: %s to %s", d.Data, d.To)
		}
		for _, j := range last[d.To] {
			if j <= i {
				continue
			}
			// j was produced after i but arrived before it.
			early, late := r.produced[j], r.produced[i]
			if late.Fence || early.Fence || late.Delay <= 0 {
				r.t.Fatalf("to %s, %s (produced %d) arrived before %s (produced %d)\nproduced: %s",
					d.To, early.Data, j, late.Data, i, r.describe())
			}
		}
		last[d.To] = append(last[d.To], i)
	}
}

func (r *orderRig) describe() string {
	s := ""
	for i, d := range r.produced {
		s += fmt.Sprintf("\n  %d %s delay=%s fence=%v %s", i, d.To, d.Delay, d.Fence, d.Data)
	}
	return s
}

// TestInitResponseThenCacheThenLive is the reported case: with init
// delayed by 3 s, a CAD change made during the delay reached the extension
// before the init response and before the older, cached CAD change, so
// that the extension ended with the old value.
func TestInitResponseThenCacheThenLive(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		r := newOrderRig(t)
		id := r.apply(state.Incoming{Channel: "phone"})
		r.apply(state.Accept{ID: id})
		inst := ""
		for _, in := range r.view().Instances {
			if in.Key == "crm" {
				inst = in.ID
			}
		}
		r.apply(state.DelayCommand{Command: "init", By: 3 * time.Second})
		r.apply(state.SetCAD{ID: id, Set: map[string]any{"tier": "old"}}) // cached: no init yet
		r.ext(inst, "init", "true")
		time.Sleep(time.Second)
		r.apply(state.SetCAD{ID: id, Set: map[string]any{"tier": "new"}}) // during the delay
		time.Sleep(time.Hour)
		synctest.Wait()

		var seen []string
		for _, d := range r.arrived() {
			if d.To != inst {
				continue
			}
			var m struct {
				Type    string `json:"type"`
				Payload struct {
					Attribute string `json:"attribute"`
					Value     any    `json:"value"`
				} `json:"payload"`
			}
			if err := json.Unmarshal(d.Data, &m); err != nil {
				t.Fatal(err)
			}
			what := m.Type
			if m.Type == "state" && m.Payload.Attribute != "cad" {
				continue
			}
			if m.Payload.Attribute == "cad" {
				what = "cad " + fmt.Sprint(m.Payload.Value.(map[string]any)["tier"])
			}
			seen = append(seen, what)
		}
		want := []string{"response", "cad old", "cad new"}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Errorf("the extension heard %v, want %v", seen, want)
		}
		r.checkOrder()
	})
}

// TestDeliveryOrderUnderRandomDelays plays random sequences of panel
// events, extension messages, injected delays and waits, and holds the
// order rule for each.
func TestDeliveryOrderUnderRandomDelays(t *testing.T) {
	t.Parallel()
	for seed := range uint64(200) {
		synctest.Test(t, func(t *testing.T) {
			playRandomOrder(t, rand.New(rand.NewPCG(seed, 99)), 60)
		})
		if t.Failed() {
			t.Fatalf("seed %d", seed)
		}
	}
}

// FuzzDeliveryOrder explores the same rule with sequences the fuzzer picks.
func FuzzDeliveryOrder(f *testing.F) {
	f.Add(uint64(1), uint64(2), uint8(40))
	f.Add(uint64(3), uint64(5), uint8(200))
	f.Fuzz(func(t *testing.T, a, b uint64, n uint8) {
		synctest.Test(t, func(t *testing.T) {
			playRandomOrder(t, rand.New(rand.NewPCG(a, b)), int(n))
		})
	})
}

func playRandomOrder(t *testing.T, rng *rand.Rand, steps int) {
	r := newOrderRig(t)
	commands := []string{"init", "detail", "callState", "interaction"}
	pick := func(xs []string) string {
		if len(xs) == 0 {
			return ""
		}
		return xs[rng.IntN(len(xs))]
	}
	for range steps {
		v := r.view()
		var ids, insts []string
		for _, it := range v.Interactions {
			ids = append(ids, it.ID)
		}
		for _, in := range v.Instances {
			insts = append(insts, in.ID)
		}
		id, inst := pick(ids), pick(insts)
		switch rng.IntN(12) {
		case 0:
			r.apply(state.Incoming{Channel: pick([]string{"phone", "chat"})})
		case 1:
			r.apply(state.Accept{ID: id})
		case 2:
			r.apply(state.SetCAD{ID: id, Set: map[string]any{"n": rng.IntN(1000)}})
		case 3:
			r.apply(state.CallState{ID: id, Op: pick([]string{"hold", "unhold", "mute"})})
		case 4:
			r.apply(state.DelayCommand{Command: pick(commands), By: time.Duration(rng.IntN(4000)) * time.Millisecond})
		case 5:
			if inst != "" {
				r.ext(inst, "init", pick([]string{"true", "false"}))
			}
		case 6:
			if inst != "" {
				r.ext(inst, "action", `{"command":"detail","value":"interaction"}`)
			}
		case 7:
			if inst != "" {
				r.ext(inst, "exit", "")
			}
		case 8:
			r.apply(state.Hangup{ID: id})
			r.apply(state.Handle{ID: id})
		case 9:
			if inst != "" {
				r.ext(inst, "action", `{"command":"callState","value":"hold"}`)
			}
		case 10:
			r.apply(state.Say{ID: id, Text: "hello"})
		default:
			time.Sleep(time.Duration(rng.IntN(3000)) * time.Millisecond)
		}
	}
	time.Sleep(time.Hour)
	synctest.Wait()
	r.checkOrder()
}
