package host

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cpsim/cpsim/internal/state"
)

// pageEvent is an event of docs/relay.md as the page sends it. The fields
// that apply depend on Type.
type pageEvent struct {
	Type      string          `json:"type"`
	ID        string          `json:"id"`
	Instance  string          `json:"instance"`
	Status    string          `json:"status"`
	Profile   string          `json:"profile"`
	Queue     string          `json:"queue"`
	Serve     *bool           `json:"serve"`
	Channel   string          `json:"channel"`
	From      string          `json:"from"`
	To        json.RawMessage `json:"to"`
	Subject   string          `json:"subject"`
	Content   string          `json:"content"`
	CAD       map[string]any  `json:"cad"`
	Set       map[string]any  `json:"set"`
	Text      string          `json:"text"`
	On        *bool           `json:"on"`
	Result    string          `json:"result"`
	Message   json.RawMessage `json:"message"`
	Attribute string          `json:"attribute"`
	Value     json.RawMessage `json:"value"`
	Command   string          `json:"command"`
	Reason    string          `json:"reason"`
	MS        *int64          `json:"ms"`
	Name      string          `json:"name"`  // of a scenario
	Speed     *float64        `json:"speed"` // of a scenario
}

// decodeEvent reads an e frame's event. Unknown fields are refused: they
// mean the page and the server disagree about the protocol.
func decodeEvent(data []byte) (state.Event, error) {
	p, err := readEvent(data)
	if err != nil {
		return nil, err
	}
	return p.event()
}

func readEvent(data []byte) (pageEvent, error) {
	var p pageEvent
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

func (p pageEvent) event() (state.Event, error) {
	need := func(field, v string) error {
		if v == "" {
			return fmt.Errorf("event %s needs %s", p.Type, field)
		}
		return nil
	}
	switch p.Type {
	case "login":
		return state.Login{}, nil
	case "logout":
		return state.Logout{}, nil
	case "work_status":
		return state.SetWorkStatus{Status: p.Status}, need("status", p.Status)
	case "profile":
		return state.SetProfile{Profile: p.Profile}, need("profile", p.Profile)
	case "phone_status":
		return state.SetPhoneStatus{Status: p.Status}, need("status", p.Status)
	case "serve":
		if p.Serve == nil {
			return nil, errors.New("event serve needs serve: true or false")
		}
		return state.SetServe{Queue: p.Queue, Serve: *p.Serve}, need("queue", p.Queue)
	case "incoming":
		to, err := oneString(p.To)
		return state.Incoming{Channel: p.Channel, Queue: p.Queue, From: p.From, To: to,
			Subject: p.Subject, Content: p.Content, CAD: p.CAD}, errors.Join(err, need("channel", p.Channel))
	case "accept":
		return state.Accept{ID: p.ID}, need("id", p.ID)
	case "reject":
		return state.Reject{ID: p.ID}, need("id", p.ID)
	case "pick":
		return state.Pick{ID: p.ID}, need("id", p.ID)
	case "hangup":
		return state.Hangup{ID: p.ID}, need("id", p.ID)
	case "handle":
		return state.Handle{ID: p.ID}, need("id", p.ID)
	case "join":
		return state.Join{ID: p.ID}, need("id", p.ID)
	case "hold", "unhold", "mute", "unmute":
		return state.CallState{ID: p.ID, Op: p.Type}, need("id", p.ID)
	case "record":
		if p.On == nil {
			return nil, errors.New("event record needs on: true or false")
		}
		op := "stopRecording"
		if *p.On {
			op = "startRecording"
		}
		return state.CallState{ID: p.ID, Op: op}, need("id", p.ID)
	case "transfer":
		to, err := oneString(p.To)
		return state.Transfer{ID: p.ID, To: to, CAD: p.CAD}, errors.Join(err, need("id", p.ID))
	case "consult":
		to, err := oneString(p.To)
		return state.Consult{ID: p.ID, To: to}, errors.Join(err, need("id", p.ID))
	case "cad":
		return state.SetCAD{ID: p.ID, Set: p.Set}, need("id", p.ID)
	case "say":
		if p.From != "customer" && p.From != "agent" {
			return nil, fmt.Errorf("event say needs from: customer or agent, not %q", p.From)
		}
		return state.Say{ID: p.ID, Agent: p.From == "agent", Text: p.Text}, need("id", p.ID)
	case "typing":
		return state.Typing{ID: p.ID, On: p.On != nil && *p.On}, need("id", p.ID)
	case "outcome":
		return state.Outcome{ID: p.ID, Result: p.Result}, need("id", p.ID)
	case "outbound":
		to, err := someStrings(p.To)
		return state.Outbound{Request: state.OutboundRequest{Channel: p.Channel, To: to, From: p.From,
			Subject: p.Subject, Content: p.Content}}, err
	case "confirm":
		return state.Confirm{ID: p.ID}, need("id", p.ID)
	case "cancel":
		return state.Cancel{ID: p.ID}, need("id", p.ID)
	case "select_interaction":
		return state.SelectInteraction{ID: p.ID}, need("id", p.ID)
	case "select_extension":
		return state.SelectExtension{Instance: p.Instance}, need("instance", p.Instance)
	case "send":
		if len(p.Message) == 0 {
			return nil, errors.New("event send needs message")
		}
		return state.Send{Instance: p.Instance, Data: p.Message}, need("instance", p.Instance)
	case "state":
		v, err := anyValue(p.Value)
		return state.State{ID: p.ID, Attribute: p.Attribute, Value: v}, err
	case "status":
		v, err := anyValue(p.Value)
		return state.Status{Attribute: p.Attribute, Value: v}, err
	case "fail_next_init":
		return state.FailNextInit{Reason: p.Reason}, nil
	case "fail":
		return state.FailCommand{Command: p.Command, Reason: p.Reason}, need("command", p.Command)
	case "delay":
		if p.MS == nil || *p.MS < 0 {
			return nil, errors.New("event delay needs ms: 0 or more")
		}
		return state.DelayCommand{Command: p.Command, By: time.Duration(*p.MS) * time.Millisecond}, need("command", p.Command)
	case "clear_faults":
		return state.ClearFaults{}, nil
	case "":
		return nil, errors.New("the event has no type")
	}
	return nil, fmt.Errorf("unknown event type %q", p.Type)
}

func oneString(raw json.RawMessage) (string, error) {
	if len(raw) == 0 {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("to must be a string")
	}
	return s, nil
}

func someStrings(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.New("to must be a string or a list of strings")
	}
	return list, nil
}

func anyValue(raw json.RawMessage) (any, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("value: %w", err)
	}
	return v, nil
}
