package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Kind is one event of the panel's vocabulary, described once for every
// place that speaks it: the page's e frames (docs/relay.md), the steps of
// a scenario (docs/scenarios.md), the recorder that writes steps from what
// the agent did, and the documentation. The event type's fields carry
// their wire names (json tags) and step keys (yaml tags); a field whose
// yaml key is "in" names an interaction.
type Kind struct {
	// Name is the event's type on the wire and, unless Step says
	// otherwise, the scenario step that performs it.
	Name string
	// Step is the scenario step when it is not Name; "-" when no step
	// performs the event.
	Step string
	// Doc says what the event does, in the words of the docs.
	Doc string
	// New returns a pointer to a zero event of the type to decode into,
	// with what the name fixes already set (hold's Op).
	New func() Event
	// Short is the field a step written as "name: value" sets; "" when a
	// step takes a mapping (or nothing).
	Short string
	// Required are the fields an event must give (Go field names). A
	// step needs them too, but for the interaction it acts on, which is
	// the last one named when a step does not say.
	Required []string
	// Allowed lists the words a field may hold, by Go field name.
	Allowed map[string]func() []string
	// Creates is set when the event creates an interaction, or brings
	// out one no step created (send, an extension's draft), which
	// Output.Created names, and a step may name with as.
	Creates bool
	// Example is the event filled in as the docs show it (interactions
	// named as a scenario names them): hints, docs and tests use it.
	Example Event
}

// StepName is the scenario step that performs the event, or "" when none
// does.
func (k Kind) StepName() string {
	switch k.Step {
	case "":
		return k.Name
	case "-":
		return ""
	}
	return k.Step
}

// Kinds lists the vocabulary, in the order of the docs.
func Kinds() []Kind {
	words := func(w ...string) func() []string { return func() []string { return w } }
	id := []string{"ID"}
	ref := func(name, doc string, ev Event, zero func() Event) Kind {
		return Kind{Name: name, Doc: doc, New: zero, Short: "ID", Required: id, Example: ev}
	}
	callState := func(op, doc string) Kind {
		return ref(op, doc, CallState{ID: "call1", Op: op}, func() Event { return &CallState{Op: op} })
	}
	return []Kind{
		{Name: "login", Doc: "the agent logs in; the global extensions start",
			New: func() Event { return &Login{} }, Example: Login{}},
		{Name: "logout", Doc: "the agent logs out; the global extensions get exit",
			New: func() Event { return &Logout{} }, Example: Logout{}},
		{Name: "work_status", Doc: "the agent's work status", New: func() Event { return &SetWorkStatus{} },
			Short: "Status", Required: []string{"Status"}, Allowed: map[string]func() []string{"Status": words(workStatuses...)},
			Example: SetWorkStatus{Status: "ready"}},
		{Name: "profile", Doc: "activates a presence profile, by name (or id)", New: func() Event { return &SetProfile{} },
			Short: "Profile", Required: []string{"Profile"}, Example: SetProfile{Profile: "Lunch"}},
		{Name: "phone_status", Doc: "connects or disconnects the softphone", New: func() Event { return &SetPhoneStatus{} },
			Short: "Status", Required: []string{"Status"}, Allowed: map[string]func() []string{"Status": words(phoneStatuses...)},
			Example: SetPhoneStatus{Status: "disconnected"}},
		{Name: "serve", Doc: "starts or stops serving a queue", New: func() Event { return &SetServe{} },
			Required: []string{"Queue", "Serve"}, Example: SetServe{Queue: "Sales", Serve: false}},
		{Name: "incoming", Doc: "a customer reaches a queue: a call, a chat, an email, an SMS or a WhatsApp message",
			New: func() Event { return &Incoming{} }, Required: []string{"Channel"}, Creates: true,
			Allowed: map[string]func() []string{"Channel": Channels},
			Example: Incoming{Channel: Phone, Queue: "Sales", From: "+358401234567", CAD: map[string]any{"customer_id": "C-1001"}}},
		ref("accept", "the agent accepts an interaction offered", Accept{ID: "call1"}, func() Event { return &Accept{} }),
		ref("reject", "the agent rejects an interaction offered", Reject{ID: "call1"}, func() Event { return &Reject{} }),
		ref("pick", "the agent picks an interaction from a queue", Pick{ID: "call1"}, func() Event { return &Pick{} }),
		ref("hangup", "the agent, or the customer, hangs up", Hangup{ID: "call1"}, func() Event { return &Hangup{} }),
		ref("handle", "the agent marks an ended interaction handled", Handle{ID: "call1"}, func() Event { return &Handle{} }),
		callState("hold", "holds a call"),
		callState("unhold", "takes a call off hold"),
		callState("mute", "mutes a call"),
		callState("unmute", "unmutes a call"),
		{Name: "record", Doc: "starts (on) or stops recording a call", New: func() Event { return &Record{} },
			Required: []string{"ID", "On"}, Example: Record{ID: "call1", On: true}},
		{Name: "transfer", Doc: "hands an interaction on, with caller data for the receiver", New: func() Event { return &Transfer{} },
			Required: []string{"ID", "To"}, Example: Transfer{ID: "call1", To: "+358409999999", CAD: map[string]any{"case": "C-17"}}},
		{Name: "consult", Doc: "starts a consultation on a call or a chat", New: func() Event { return &Consult{} },
			Required: []string{"ID", "To"}, Creates: true, Example: Consult{ID: "call1", To: "2042"}},
		ref("join", "joins a consultation with its call", Join{ID: "cons1"}, func() Event { return &Join{} }),
		{Name: "cad", Doc: "changes an interaction's caller data; a null value removes a key", New: func() Event { return &SetCAD{} },
			Required: []string{"ID", "Set"}, Example: SetCAD{ID: "call1", Set: map[string]any{"case": "C-17", "old_key": nil}}},
		{Name: "say", Doc: "a message in a chat, SMS or WhatsApp conversation, from the customer or the agent",
			New: func() Event { return &Say{} }, Required: []string{"ID", "From", "Text"},
			Allowed: map[string]func() []string{"From": words("customer", "agent")},
			Example: Say{ID: "chat1", From: "customer", Text: "Hello"}},
		{Name: "typing", Doc: "shows or hides the customer's typing indicator", New: func() Event { return &Typing{} },
			Required: []string{"ID", "On"}, Example: Typing{ID: "chat1", On: true}},
		{Name: "outcome", Doc: "how an outgoing call that is ringing ends", New: func() Event { return &Outcome{} },
			Required: []string{"ID", "Result"}, Allowed: map[string]func() []string{"Result": Outcomes},
			Example: Outcome{ID: "out1", Result: "busy"}},
		{Name: "outbound", Doc: "the agent starts an outgoing interaction", New: func() Event { return &Outbound{} },
			Required: []string{"Channel", "To"}, Creates: true, Allowed: map[string]func() []string{"Channel": OutboundChannels},
			Example: Outbound{Channel: Phone, To: Recipients{"+358409999999"}}},
		{Name: "send_draft", Step: "send", Doc: "the agent sends a draft (an extension's outbound SMS, WhatsApp or email without direct), with edits; no in: the oldest draft",
			New: func() Event { return &SendDraft{} }, Short: "ID", Creates: true,
			Example: SendDraft{ID: "out1", Content: "Your order has shipped."}},
		{Name: "discard_draft", Step: "discard", Doc: "the agent discards a draft unsent; no in: the oldest draft",
			New: func() Event { return &DiscardDraft{} }, Short: "ID", Example: DiscardDraft{ID: "out1"}},
		{Name: "select_interaction", Step: "select", Doc: "makes an interaction the active one",
			New: func() Event { return &SelectInteraction{} }, Short: "ID", Required: id, Example: SelectInteraction{ID: "call1"}},
		{Name: "deselect", Doc: "leaves no interaction active; the global extensions hear activeInteraction null",
			New: func() Event { return &Deselect{} }, Example: Deselect{}},
		{Name: "select_extension", Step: "-", Doc: "opens an extension instance in the sidebar",
			New: func() Event { return &SelectExtension{} }, Required: []string{"Instance"}, Example: SelectExtension{Instance: "crm-1"}},
		{Name: "send", Step: "-", Doc: "posts a raw message into an instance as is, without the cache rules",
			New: func() Event { return &Send{} }, Required: []string{"Instance", "Data"},
			Example: Send{Instance: "crm-1", Data: json.RawMessage(`{"id":"x","type":"state","payload":{}}`)}},
		{Name: "state", Doc: "sends a state message through the routing and cache rules without changing the model",
			New: func() Event { return &State{} }, Required: []string{"Attribute"},
			Example: State{ID: "call1", Attribute: "channel_status", Value: "onvideo"}},
		{Name: "status", Doc: "sends a status message to every instance without changing the model",
			New: func() Event { return &Status{} }, Required: []string{"Attribute"},
			Example: Status{Attribute: "work_status", Value: "ready"}},
		{Name: "fail_next_init", Doc: "the next init answers an error", New: func() Event { return &FailNextInit{} },
			Short: "Reason", Example: FailNextInit{Reason: "backend down"}},
		{Name: "fail", Doc: "every action of a command answers an error; no reason stops it", New: func() Event { return &FailCommand{} },
			Required: []string{"Command"}, Allowed: map[string]func() []string{"Command": Commands},
			Example: FailCommand{Command: "transfer", Reason: "backend unavailable"}},
		{Name: "delay", Doc: "every answer to a command (or init) comes late; zero stops it", New: func() Event { return &DelayCommand{} },
			Required: []string{"Command", "By"}, Allowed: map[string]func() []string{"Command": func() []string { return append(Commands(), "init") }},
			Example: DelayCommand{Command: "detail", By: 500 * time.Millisecond}},
		{Name: "clear_faults", Doc: "removes every injected fault", New: func() Event { return &ClearFaults{} }, Example: ClearFaults{}},
	}
}

// KindNamed finds a kind by its wire name.
func KindNamed(name string) (Kind, bool) {
	for _, k := range Kinds() {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// KindOf finds the kind of an event, a value or a pointer. A CallState of
// a recording op has none: Record is that event.
func KindOf(ev Event) (Kind, bool) {
	v := reflect.Indirect(reflect.ValueOf(ev))
	if !v.IsValid() {
		return Kind{}, false
	}
	if cs, ok := v.Interface().(CallState); ok {
		return KindNamed(cs.Op)
	}
	for _, k := range Kinds() {
		if reflect.TypeOf(k.Example) == v.Type() {
			return k, true
		}
	}
	return Kind{}, false
}

// Field is a field of an event type, with its names.
type Field struct {
	Go, JSON, YAML string // "" for JSON or YAML: not there
	Index          int
	Type           reflect.Type
}

// Fields lists the fields of an event's type.
func Fields(ev Event) []Field {
	t := reflect.Indirect(reflect.ValueOf(ev)).Type()
	var out []Field
	for i := range t.NumField() {
		f := t.Field(i)
		key := func(tag string) string {
			name, _, _ := strings.Cut(f.Tag.Get(tag), ",")
			if name == "-" {
				return ""
			}
			return name
		}
		out = append(out, Field{Go: f.Name, JSON: key("json"), YAML: key("yaml"), Index: i, Type: f.Type})
	}
	return out
}

// FieldOf finds a field by its Go name.
func FieldOf(ev Event, goName string) (Field, bool) {
	for _, f := range Fields(ev) {
		if f.Go == goName {
			return f, true
		}
	}
	return Field{}, false
}

// Deref returns the event a pointer from Kind.New points to, as the value
// the engine and the tests use.
func Deref(ev Event) Event {
	if v := reflect.ValueOf(ev); v.Kind() == reflect.Pointer && !v.IsNil() {
		return v.Elem().Interface().(Event)
	}
	return ev
}

// DecodeEvent reads an event as the page sends it: an object with its
// type and the fields of that type. Unknown fields are refused: they mean
// the page and the server disagree about the protocol. Its error is an
// *EventError, which names the field that was wrong.
func DecodeEvent(data []byte) (Event, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return nil, &EventError{Err: fmt.Errorf("malformed event: %w", err)}
	}
	var name string
	if raw, ok := fields["type"]; ok {
		if err := json.Unmarshal(raw, &name); err != nil {
			return nil, &EventError{Field: "type", Err: fmt.Errorf("malformed event: the type: %w", err)}
		}
	}
	if name == "" {
		return nil, &EventError{Field: "type", Err: errors.New("the event has no type")}
	}
	k, ok := KindNamed(name)
	if !ok {
		return nil, &EventError{Field: "type", Err: fmt.Errorf("unknown event type %q", name)}
	}
	delete(fields, "type")
	rest, err := json.Marshal(fields)
	if err != nil {
		return nil, &EventError{Err: fmt.Errorf("malformed event: %w", err)}
	}
	ev := k.New()
	if err := strictJSON(rest, ev); err != nil {
		return nil, &EventError{Field: badField(k, fields), Err: fmt.Errorf("malformed event: %w", err)}
	}
	var missing []string
	for _, req := range k.Required {
		f, _ := FieldOf(ev, req)
		if raw, ok := fields[f.JSON]; !ok || string(raw) == "null" || string(raw) == `""` {
			missing = append(missing, f.JSON)
		}
	}
	if len(missing) > 0 {
		return nil, &EventError{Field: missing[0], Err: fmt.Errorf("event %s needs %s", name, strings.Join(missing, " and "))}
	}
	return Deref(ev), nil
}

// EventError is what DecodeEvent found wrong with an event, with the
// field it was in (its wire name: "type" for a missing or unknown type),
// so that the control API can name it; Field is "" when the event as a
// whole was wrong (not a JSON object).
type EventError struct {
	Field string
	Err   error
}

func (e *EventError) Error() string { return e.Err.Error() }
func (e *EventError) Unwrap() error { return e.Err }

// badField finds the field of an event of kind k that does not decode,
// by decoding each alone, in the order of their names: an unknown one, one
// of the wrong type, or one its type's own decoder refuses (a negative
// delay). "" when each decodes alone.
func badField(k Kind, fields map[string]json.RawMessage) string {
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		one, err := json.Marshal(map[string]json.RawMessage{name: fields[name]})
		if err != nil || strictJSON(one, k.New()) != nil {
			return name
		}
	}
	return ""
}

// EncodeEvent writes an event as the page sends it, with its type.
func EncodeEvent(ev Event) (json.RawMessage, error) {
	k, ok := KindOf(ev)
	if !ok {
		return nil, fmt.Errorf("%T is no event of the vocabulary", ev)
	}
	body, err := json.Marshal(Deref(ev))
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, err
	}
	if fields == nil {
		fields = map[string]json.RawMessage{}
	}
	fields["type"], _ = json.Marshal(k.Name)
	return json.Marshal(fields)
}

func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Recipients is one address or several: on the wire and in a step, a
// string or a list of strings.
type Recipients []string

// UnmarshalJSON reads a string or a list of strings.
func (r *Recipients) UnmarshalJSON(data []byte) error {
	var one string
	if json.Unmarshal(data, &one) == nil {
		*r = Recipients{one}
		return nil
	}
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		return errors.New("to must be a string or a list of strings")
	}
	*r = list
	return nil
}

// UnmarshalYAML reads a string or a list of strings.
func (r *Recipients) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag != "!!null" {
			*r = Recipients{n.Value}
			return nil
		}
	case yaml.SequenceNode:
		list := make(Recipients, 0, len(n.Content))
		for _, item := range n.Content {
			if item.Kind != yaml.ScalarNode {
				break
			}
			list = append(list, item.Value)
		}
		if len(list) == len(n.Content) {
			*r = list
			return nil
		}
	}
	return errors.New("to must be a string or a list of strings")
}

// delayWire is DelayCommand on the wire, where the delay is milliseconds.
type delayWire struct {
	Command string `json:"command"`
	MS      *int64 `json:"ms"`
}

// MarshalJSON writes the delay in milliseconds, as the page sends it.
func (e DelayCommand) MarshalJSON() ([]byte, error) {
	ms := e.By.Milliseconds()
	return json.Marshal(delayWire{Command: e.Command, MS: &ms})
}

// UnmarshalJSON reads the delay in milliseconds.
func (e *DelayCommand) UnmarshalJSON(data []byte) error {
	var w delayWire
	if err := strictJSON(data, &w); err != nil {
		return err
	}
	if w.MS != nil && *w.MS < 0 {
		return errors.New("event delay needs ms: 0 or more")
	}
	e.Command = w.Command
	if w.MS != nil {
		e.By = time.Duration(*w.MS) * time.Millisecond
	}
	return nil
}
