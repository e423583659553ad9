package host

import (
	"encoding/json"
	"testing"

	"github.com/cpsim/cpsim/internal/state/statetest"
)

// FuzzFrames feeds a session arbitrary frames from the page, as the relay
// does after reading a websocket message: no panic, whatever they hold.
func FuzzFrames(f *testing.F) {
	for _, s := range []string{
		`[{"t":"m","q":1,"i":"bg-1","m":{"id":"a","type":"init","payload":true}}]`,
		`[{"t":"e","q":2,"n":1,"e":{"type":"incoming","channel":"phone","cad":{"a":[1,{"b":null}]}}}]`,
		`[{"t":"e","q":3,"n":2,"e":{"type":"accept","id":"x"}},{"t":"a","seq":4},{"t":"log","from":0}]`,
		`[{"t":"e","q":1,"n":3,"e":{"type":"send","instance":"bg-1","message":[1,2]}}]`,
		`[{"t":"e","q":1,"n":4,"e":{"type":"delay","command":"init","ms":1}}]`,
		`[{"t":"m","q":1,"i":"bg-1","bad":"cyclic"}]`,
		`[{"t":"m","q":18446744073709551615,"i":"bg-1","m":{}},{"t":"m","q":1,"i":"bg-1","m":{}}]`,
		`{"t":"launch"}`, `[]`, `[{"t":"m"}]`, `[{"t":"e","e":"x"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var frames []inFrame
		if len(data) > 0 && data[0] == '{' {
			frames = make([]inFrame, 1)
			if json.Unmarshal(data, &frames[0]) != nil {
				return
			}
		} else if json.Unmarshal(data, &frames) != nil {
			return
		}
		srv, err := New(Config{Logger: discardLogger(), Data: testData(t), Validator: statetest.Validator(t), Assets: testAssets, Strict: true, Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		ss, err := srv.newSession("")
		if err != nil {
			t.Fatal(err)
		}
		_ = srv.handle(ss, peer{}, &reading{}, frames)
		ss.mu.Lock()
		defer ss.mu.Unlock()
		for _, e := range ss.log.rows[ss.log.head:] {
			for _, d := range e.diag {
				if d.Direction == "out" && d.Severity == "error" && d.Kind == "schema" {
					t.Fatalf("cpsim produced an invalid message: %v", d)
				}
			}
		}
	})
}

// FuzzDecodeEvent: any event JSON decodes to an event or an error.
func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"incoming","channel":"chat","to":"x","cad":{"k":1}}`,
		`{"type":"outbound","channel":"email","to":["a","b"]}`,
		`{"type":"record","id":"x","on":true}`,
		`{"type":"delay","command":"detail","ms":9223372036854775807}`,
		`{"type":"state","attribute":"cad","value":{"x":[]}}`,
		`{"type":1}`, `null`, `{"type":"send","instance":"x","message":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := decodeEvent(data)
		if err == nil && ev == nil {
			t.Fatalf("%s: no event and no error", data)
		}
	})
}
