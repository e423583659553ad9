package host

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestRecordingFrame: the page sends what its recorder kept in a rec frame
// and gets the scenario file back in the r frame; a malformed recording
// gets an error.
func TestRecordingFrame(t *testing.T) {
	t.Parallel()
	_, hs := newTestServer(t)
	p := dial(t, hs, "", 0, true)
	rec := `{"name":"Recorded","description":"","start":{"agent":{"work_status":"ready"},"unserved":[],"faults":{},"ids":{}},
		"entries":[{"at":1000,"ev":{"type":"incoming","channel":"phone"},"info":null,"created":"abc"},
		           {"at":3000,"ev":{"type":"accept","id":"abc"},"info":{"channel":"phone","status":"incoming","outbound":false,"consult":false},"created":""}]}`
	for _, tt := range []struct {
		rec, yaml, err string
	}{
		{rec, "  - incoming: {as: call1, channel: phone}\n  - wait: 2s\n  - accept: call1\n", ""},
		{`{"entries":[],"extra":1}`, "", `malformed recording: json: unknown field "extra"`},
	} {
		p.n++
		n := float64(p.n)
		p.send(map[string]any{"t": "rec", "n": p.n, "rec": json.RawMessage(tt.rec)})
		res := p.waitFor(func(f map[string]any) bool { return f["t"] == "r" && f["n"] == n })
		got, _ := res["yaml"].(string)
		errText, _ := res["error"].(string)
		if !strings.Contains(got, tt.yaml) || errText != tt.err {
			t.Errorf("r = %v, want yaml with %q and error %q", res, tt.yaml, tt.err)
		}
	}
}
