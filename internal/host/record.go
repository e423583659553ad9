package host

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/cpsim/cpsim/internal/scenario"
)

// recordingResult answers a rec frame: the recording the page kept,
// written as a scenario file by the same code that reads scenarios, so
// that what is recorded replays (docs/relay.md).
func recordingResult(f inFrame) resultFrame {
	r := resultFrame{T: "r", N: f.N}
	var rec scenario.Recording
	dec := json.NewDecoder(bytes.NewReader(f.Rec))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		r.Error = fmt.Sprintf("malformed recording: %v", err)
		return r
	}
	yaml, steps, description := scenario.FormatRecording(rec)
	r.YAML, r.Steps, r.Description = string(yaml), steps, description
	return r
}
