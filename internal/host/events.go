package host

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cpsim/cpsim/internal/state"
)

// pageEvent is an event of docs/relay.md as the page sends it. The events
// of the panel are the engine's vocabulary (state.Kinds), decoded by
// state.DecodeEvent; those that drive a scenario are the server's own,
// with their fields here.
type pageEvent struct {
	Type  string   `json:"type"`
	Name  string   `json:"name"`  // of a scenario
	Speed *float64 `json:"speed"` // of a scenario
	raw   []byte
}

// decodeEvent reads an e frame's event. Unknown fields are refused: they
// mean the page and the server disagree about the protocol.
func decodeEvent(data []byte) (state.Event, error) {
	return state.DecodeEvent(data)
}

// readEvent reads an e frame's type, and the fields of an event that
// drives a scenario; event() decodes any other.
func readEvent(data []byte) (pageEvent, error) {
	p := pageEvent{raw: data}
	var head struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(data, &head) != nil || !strings.HasPrefix(head.Type, "scenario_") {
		return p, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, fmt.Errorf("malformed event: %w", err)
	}
	return p, nil
}

// isScenarioEvent reports whether an event drives a scenario rather than
// the panel.
func (p pageEvent) isScenarioEvent() bool { return strings.HasPrefix(p.Type, "scenario_") }

func (p pageEvent) event() (state.Event, error) { return state.DecodeEvent(p.raw) }
