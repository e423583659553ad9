package host

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/cpsim/cpsim/internal/scenario"
)

// FuzzAPIEvent: any body of POST .../events decodes to an event, or to a
// 400 problem; never a panic, never both or neither.
func FuzzAPIEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"incoming","channel":"phone","cad":{"customer_id":"C-1"}}`,
		`{"type":"accept","id":"x"}`, `{"type":"delay","command":"detail","ms":-1}`,
		`{"type":"outbound","channel":"sms","to":["a",1]}`, `{"type":"send","instance":"crm-1","message":{"a":[]}}`,
		`{"type":"incomming"}`, `{"type":null}`, `[]`, `{}`, `"x"`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) == 0 {
			body = nil
		}
		ev, err := decodeAPIEvent(body)
		var p *problem
		switch {
		case err == nil && ev == nil:
			t.Fatalf("%q: no event and no error", body)
		case err != nil && ev != nil:
			t.Fatalf("%q: an event and an error", body)
		case err != nil && (!errors.As(err, &p) || p.Status != http.StatusBadRequest || p.Detail == ""):
			t.Fatalf("%q: %v is not a 400 problem", body, err)
		}
	})
}

// FuzzAPIExpect: any body of POST .../expect decodes to a pattern, or to
// a problem or the parser's mistakes; a pattern matches any message
// without a panic.
func FuzzAPIExpect(f *testing.F) {
	for _, s := range []string{
		`{"from":"crm","message":{"type":"action","payload":{"command":"detail"}},"within":"5s","after":3}`,
		`{"message":{"type":"init","payload":true}}`, `{"message":{"id":1}}`,
		`{"message":{"payload":{"value":{"channel":"sms","to":["a"]}}}}`,
		`{"message":{"type":"actoin"}}`, `{"message":"type: action"}`, `{"message":{"payload":&a [*a]}}`,
		`{"message":null}`, `{"within":-1}`, `[]`,
	} {
		f.Add([]byte(s))
	}
	var msgs []any
	for _, m := range []string{
		`{"id":"d1","type":"action","payload":{"command":"detail","value":"user","limit":10}}`,
		`{"id":"i","type":"init","payload":true}`, `[1,{"a":null}]`, `null`, `3`,
	} {
		var v any
		if err := json.Unmarshal([]byte(m), &v); err != nil {
			f.Fatal(err)
		}
		msgs = append(msgs, v)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req expectRequest
		if decodeStrict(body, &req) != nil || len(req.Message) == 0 {
			return
		}
		x, err := scenario.ParseExpect("message", req.Message)
		if (x == nil) == (err == nil) {
			t.Fatalf("%q: pattern %v, error %v", body, x, err)
		}
		if x == nil {
			return
		}
		for _, v := range msgs {
			x.Match(v)
		}
		_ = x.Closest([]scenario.Message{{Instance: "crm-1", Value: msgs[0]}}, 3)
	})
}
