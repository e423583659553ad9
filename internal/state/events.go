package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Event is something that happens in the panel rather than in an
// extension: the agent clicks, a customer calls or writes, a test injects a
// fault. The host decodes them from the page; scenarios produce them.
type Event interface {
	apply(s *Session) error
}

// Apply performs an event. A refused event changes nothing and returns an
// error that says why, in words for the agent or the scenario author.
func (s *Session) Apply(ev Event) (Output, error) {
	s.begin()
	err := ev.apply(s)
	s.route() // the event may have freed the agent for another interaction
	return s.end(), err
}

// The event types below are the panel's vocabulary. Each field's json tag
// is its name in the page's e frames (docs/relay.md), its yaml tag its name
// in a scenario step (docs/scenarios.md): a field tagged yaml:"in" names an
// interaction, by id on the wire and by a scenario's name in a step. Kinds
// lists them all, with what the wire and the steps need to know of each.

// Login logs the agent in; the global extensions start.
type Login struct{}

// Logout logs the agent out; the global extensions get exit.
type Logout struct{}

// SetWorkStatus changes the agent's work status: ready, not_ready or
// wrap_up.
type SetWorkStatus struct {
	Status string `json:"status" yaml:"status"`
}

// SetProfile activates a presence profile, by name or id.
type SetProfile struct {
	Profile string `json:"profile" yaml:"profile"`
}

// SetPhoneStatus connects or disconnects the agent's softphone.
type SetPhoneStatus struct {
	Status string `json:"status" yaml:"status"`
}

// SetServe starts or stops the agent serving a queue.
type SetServe struct {
	Queue string `json:"queue" yaml:"queue"`
	Serve bool   `json:"serve" yaml:"on"`
}

// Incoming is a customer reaching a queue: a call, a chat, an email, an SMS
// or a WhatsApp message. The new interaction's id is in Output.Created.
type Incoming struct {
	Channel string         `json:"channel" yaml:"channel"`
	Queue   string         `json:"queue,omitempty" yaml:"queue"`     // name or id; empty: the channel's first queue
	From    string         `json:"from,omitempty" yaml:"from"`       // caller number, chat alias or email address
	To      string         `json:"to,omitempty" yaml:"to"`           // dialled number or address; empty: the queue's
	Subject string         `json:"subject,omitempty" yaml:"subject"` //
	Content string         `json:"content,omitempty" yaml:"content"` // first chat message, or the email body
	CAD     map[string]any `json:"cad,omitempty" yaml:"cad"`
}

// Accept, Reject, Pick, Hangup and Handle are the agent's buttons on an
// interaction. Hangup is also the customer hanging up.
type (
	Accept struct {
		ID string `json:"id" yaml:"in"`
	}
	Reject struct {
		ID string `json:"id" yaml:"in"`
	}
	Pick struct {
		ID string `json:"id" yaml:"in"`
	}
	Hangup struct {
		ID string `json:"id" yaml:"in"`
	}
	Handle struct {
		ID string `json:"id" yaml:"in"`
	}
)

// CallState holds, mutes or records a call: Op is one of CallStateOps. On
// the wire and in steps, each of hold, unhold, mute and unmute is an event
// of its own, and Op is its name; recording is Record.
type CallState struct {
	ID string `json:"id" yaml:"in"`
	Op string `json:"-" yaml:"-"`
}

// Record starts or stops recording a call.
type Record struct {
	ID string `json:"id" yaml:"in"`
	On bool   `json:"on" yaml:"-"` // in a step: do: start or do: stop
}

// Transfer hands an interaction on, with caller data for the receiver.
type Transfer struct {
	ID  string         `json:"id" yaml:"in"`
	To  string         `json:"to" yaml:"to"`
	CAD map[string]any `json:"cad,omitempty" yaml:"cad"`
}

// Consult starts a consultation on a phone call or a chat.
type Consult struct {
	ID string `json:"id" yaml:"in"`
	To string `json:"to" yaml:"to"`
}

// Join joins a consultation with its original call; ID may name either.
type Join struct {
	ID string `json:"id" yaml:"in"`
}

// SetCAD merges caller data into an interaction; a nil value removes a key.
type SetCAD struct {
	ID  string         `json:"id" yaml:"in"`
	Set map[string]any `json:"set" yaml:"set"`
}

// Say adds a message to a conversation: From is customer (or empty) or
// agent.
type Say struct {
	ID   string `json:"id" yaml:"in"`
	From string `json:"from" yaml:"from"`
	Text string `json:"text" yaml:"text"`
}

// Typing shows or hides the customer's typing indicator.
type Typing struct {
	ID string `json:"id" yaml:"in"`
	On bool   `json:"on" yaml:"on"`
}

// Outcome ends the ringing of an outgoing call: Result is one of Outcomes.
type Outcome struct {
	ID     string `json:"id" yaml:"in"`
	Result string `json:"result" yaml:"result"`
}

// Outbound is the agent starting an outgoing interaction from the panel.
type Outbound struct {
	Channel string     `json:"channel" yaml:"channel"`
	To      Recipients `json:"to" yaml:"to"`
	From    string     `json:"from,omitempty" yaml:"from"`
	Subject string     `json:"subject,omitempty" yaml:"subject"`
	Content string     `json:"content,omitempty" yaml:"content"`
}

// SendDraft is the agent sending a draft: an SMS, WhatsApp or email an
// extension asked for without direct, which the panel opened prefilled.
// ID names the draft; empty, the oldest draft in the panel. To, Subject
// and Content are the agent's edits; empty, the draft's own stay. An SMS
// or WhatsApp draft's content becomes the first message of the
// conversation.
type SendDraft struct {
	ID      string     `json:"id,omitempty" yaml:"in"`
	To      Recipients `json:"to,omitempty" yaml:"to"`
	Subject string     `json:"subject,omitempty" yaml:"subject"`
	Content string     `json:"content,omitempty" yaml:"content"`
}

// DiscardDraft is the agent discarding a draft (ID; empty, the oldest): it
// leaves the panel unsent, and its extensions get exit.
type DiscardDraft struct {
	ID string `json:"id,omitempty" yaml:"in"`
}

// SelectInteraction makes an interaction the active one.
type SelectInteraction struct {
	ID string `json:"id" yaml:"in"`
}

// Deselect leaves the panel with no active interaction, as when the agent
// closes the one shown: the global extensions hear activeInteraction null.
type Deselect struct{}

// SelectExtension opens an extension instance in the sidebar.
type SelectExtension struct {
	Instance string `json:"instance" yaml:"instance"`
}

// Send posts a raw message into an instance as is, without the cache rules,
// to see how an extension copes with it. It is validated, and problems are
// reported as warnings, but sent anyway.
type Send struct {
	Instance string          `json:"instance" yaml:"instance"`
	Data     json.RawMessage `json:"message" yaml:"-"`
}

// State sends a state message through the normal routing and cache rules
// without changing the model: the low-level escape hatch for what the
// high-level events cannot express. ID may be empty for attributes that
// name no interaction.
type State struct {
	ID        string `json:"id,omitempty" yaml:"in"`
	Attribute string `json:"attribute" yaml:"attribute"`
	Value     any    `json:"value" yaml:"value"`
}

// Status sends a status message to every instance without changing the
// model.
type Status struct {
	Attribute string `json:"attribute" yaml:"attribute"`
	Value     any    `json:"value" yaml:"value"`
}

// FailNextInit makes the next init answer an error with Reason (default
// "initiation failure", the seed's own example).
type FailNextInit struct {
	Reason string `json:"reason,omitempty" yaml:"reason"`
}

// FailCommand makes every action of Command answer an error with Reason;
// an empty Reason stops it.
type FailCommand struct {
	Command string `json:"command" yaml:"command"`
	Reason  string `json:"reason" yaml:"reason"`
}

// DelayCommand makes the responses to Command (an action command, or
// "init") arrive By later; zero stops it. On the wire By is ms, a number of
// milliseconds (see its MarshalJSON).
type DelayCommand struct {
	Command string        `json:"command" yaml:"command"`
	By      time.Duration `json:"ms" yaml:"by"` // on the wire, milliseconds
}

// ClearFaults removes every injected fault.
type ClearFaults struct{}

// faults are the errors and delays a developer injects to exercise an
// extension's error paths.
type faults struct {
	failNextInit *string
	fail         map[string]string
	delay        map[string]time.Duration
}

func (Login) apply(s *Session) error           { return s.login() }
func (Logout) apply(s *Session) error          { return s.logout() }
func (e SetWorkStatus) apply(s *Session) error { return s.setWorkStatus(e.Status) }
func (e SetProfile) apply(s *Session) error    { return s.setProfile(e.Profile) }
func (e SetPhoneStatus) apply(s *Session) error {
	return s.setPhoneStatus(e.Status)
}

func (e SetServe) apply(s *Session) error {
	q, err := s.queueFor("", e.Queue)
	if err != nil {
		return err
	}
	if q.ForcedToServe && !e.Serve {
		return fmt.Errorf("queue %q is forced to serve: the agent cannot stop serving it", q.Name)
	}
	q.Serve = e.Serve
	s.route()
	return nil
}

func (e Incoming) apply(s *Session) error {
	if !slices.Contains(Channels(), e.Channel) {
		return errors.New(unknownWord("channel", e.Channel, Channels()))
	}
	q, err := s.queueFor(e.Channel, e.Queue)
	if err != nil {
		return err
	}
	it := s.newInteraction(e.Channel, q)
	it.Status, it.ChannelStatus = StatusQueued, CSKnocking
	from := e.From
	if from == "" {
		from = defaultCustomer(e.Channel)
	}
	it.Originator = from
	it.Destination = e.To
	if it.Destination == "" {
		it.Destination = q.address
	}
	it.IncomingDestination = q.address
	it.Title = from
	copyAttached(it.AttachedData, e.CAD)
	switch e.Channel {
	case Email:
		it.Title = e.Subject
		if it.Title == "" {
			it.Title = "(no subject)"
		}
		it.Content = e.Content
		it.FromAddress = &Address{Address: from}
		it.ToAddress = []Address{{Address: it.Destination}}
	case Chat, SMS, WhatsApp:
		it.Participants = []Participant{{UniqueKey: "customer", Alias: from, Status: "not_typing", Capability: "text"}}
		if e.Content != "" {
			it.Transcript.Messages = append(it.Transcript.Messages, TranscriptMessage{
				ID: s.ids(), Message: e.Content, Timestamp: timestamp(s.clock()), Originator: "customer"})
		}
	}
	s.add(it)
	s.route()
	return nil
}

// defaultCustomer is who reaches a queue when the event does not say.
func defaultCustomer(channel string) string {
	switch channel {
	case Chat:
		return "Web visitor"
	case Email:
		return "customer@example.com"
	}
	return "+358401234567"
}

// find looks up the interaction an event names.
func (s *Session) find(id string) (*Interaction, error) {
	if id == "" {
		return nil, errors.New("no interaction named: give its id")
	}
	return s.lookup(id)
}

func (e Accept) apply(s *Session) error { return s.with(e.ID, s.accept) }
func (e Reject) apply(s *Session) error { return s.with(e.ID, s.reject) }
func (e Pick) apply(s *Session) error   { return s.with(e.ID, s.pick) }
func (e Hangup) apply(s *Session) error { return s.with(e.ID, s.hangup) }
func (e Handle) apply(s *Session) error { return s.with(e.ID, s.handle) }

func (s *Session) with(id string, f func(*Interaction) error) error {
	it, err := s.find(id)
	if err != nil {
		return err
	}
	return f(it)
}

func (e Record) apply(s *Session) error {
	op := "stopRecording"
	if e.On {
		op = "startRecording"
	}
	return CallState{ID: e.ID, Op: op}.apply(s)
}

func (e CallState) apply(s *Session) error {
	if !slices.Contains(CallStateOps(), e.Op) {
		return errors.New(unknownWord("callState value", e.Op, CallStateOps()))
	}
	return s.with(e.ID, func(it *Interaction) error { return s.callState(it, e.Op) })
}

func (e Transfer) apply(s *Session) error {
	return s.with(e.ID, func(it *Interaction) error {
		_, err := s.transfer(it, e.To, e.CAD)
		return err
	})
}

func (e Consult) apply(s *Session) error {
	return s.with(e.ID, func(it *Interaction) error {
		_, err := s.consult(it, e.To)
		return err
	})
}

func (e Join) apply(s *Session) error {
	return s.with(e.ID, func(it *Interaction) error {
		_, err := s.join(it)
		return err
	})
}

func (e SetCAD) apply(s *Session) error {
	return s.with(e.ID, func(it *Interaction) error {
		if !owned(it) && it.Status != StatusQueued && it.Status != StatusIncoming {
			return fmt.Errorf("%s is %s: its caller data can no longer change", describe(it), it.Status)
		}
		s.setCAD(it, e.Set)
		return nil
	})
}

func (e Say) apply(s *Session) error {
	if e.From != "" && e.From != "customer" && e.From != "agent" {
		return fmt.Errorf("say needs from: customer or agent, not %q", e.From)
	}
	return s.with(e.ID, func(it *Interaction) error { return s.say(it, e.From == "agent", e.Text) })
}

func (e Typing) apply(s *Session) error {
	return s.with(e.ID, func(it *Interaction) error {
		if !conversation(it.channel) {
			return fmt.Errorf("typing is for chat, sms and whatsapp interactions; %s is a %s interaction", it.ID, it.channel)
		}
		status := "not_typing"
		if e.On {
			status = "typing"
		}
		for i := range it.Participants {
			if it.Participants[i].UniqueKey == "customer" {
				// Typing is not a notified attribute: the participant's status
				// shows in the interaction's details only.
				it.Participants[i].Status = status
			}
		}
		return nil
	})
}

func (e Outcome) apply(s *Session) error {
	return s.with(e.ID, func(it *Interaction) error { return s.outcome(it, e.Result) })
}

func (e Outbound) apply(s *Session) error {
	r := OutboundRequest{Channel: e.Channel, To: e.To, From: e.From, Subject: e.Subject, Content: e.Content}
	if !slices.Contains([]string{Phone, SMS, WhatsApp, Email}, r.Channel) {
		return errors.New(unknownWord("outbound channel", r.Channel, []string{Phone, SMS, WhatsApp, Email}))
	}
	if len(r.To) == 0 || r.To[0] == "" {
		return errors.New("an outbound needs a recipient")
	}
	_, err := s.outbound(r, false) // the agent composed it: it goes at once
	return err
}

func (e SendDraft) apply(s *Session) error {
	it, err := s.draftNamed(e.ID)
	if err != nil {
		return err
	}
	return s.sendDraft(it, e.To, e.Subject, e.Content)
}

func (e DiscardDraft) apply(s *Session) error {
	it, err := s.draftNamed(e.ID)
	if err != nil {
		return err
	}
	s.discardDraft(it)
	return nil
}

func (e SelectInteraction) apply(s *Session) error {
	return s.with(e.ID, func(it *Interaction) error {
		if !owned(it) {
			return fmt.Errorf("%s is %s: only an interaction the agent has taken can be selected", describe(it), it.Status)
		}
		s.setActive(it)
		return nil
	})
}

func (Deselect) apply(s *Session) error {
	s.setActive(nil)
	return nil
}

func (e SelectExtension) apply(s *Session) error {
	in := s.instance(e.Instance)
	if in == nil {
		return fmt.Errorf("no extension instance %q is loaded", e.Instance)
	}
	if in.global() {
		return fmt.Errorf("%s is a hidden global extension: it has no sidebar button to open", in.id)
	}
	if !in.visible {
		return fmt.Errorf("%s's button is hidden: the extension set visible to false", in.id)
	}
	if !in.enabled {
		return fmt.Errorf("%s's button is disabled: the extension set enabled to false", in.id)
	}
	if s.activeExt == in {
		return nil
	}
	s.activeExt = in
	s.emitState(in.interaction, "activeExtension", in.info())
	return nil
}

func (e Send) apply(s *Session) error {
	in := s.instance(e.Instance)
	if in == nil {
		return fmt.Errorf("no extension instance %q is loaded", e.Instance)
	}
	x, err := decodeJSON(e.Data)
	if err != nil {
		return fmt.Errorf("the message to send: %w", err)
	}
	d := Delivery{To: in.id, Data: append(json.RawMessage(nil), e.Data...)}
	if msg, ok := x.(map[string]any); ok {
		d.Type, _ = msg["type"].(string)
		if id, ok := readID(msg["id"]); ok {
			d.ID = id.text
		}
		s.checkOutbound(d, "", SeverityWarning)
	} else {
		s.diag(Diagnostic{Instance: in.id, Direction: "out", Severity: SeverityWarning, Kind: "protocol",
			Text: fmt.Sprintf("the panel sends JSON objects; this is %s", jsonKind(x))})
	}
	s.deliver(in, d)
	return nil
}

func (e State) apply(s *Session) error {
	var it *Interaction
	if e.ID != "" {
		var err error
		if it, err = s.find(e.ID); err != nil {
			return err
		}
	}
	if e.Attribute == "" {
		return errors.New("a state message needs an attribute")
	}
	d := s.encode(s.nextID(), "state", statePayload{Attribute: e.Attribute, Value: e.Value, Interaction: it}, "")
	s.checkOutbound(d, "", SeverityWarning)
	for _, in := range s.instances {
		if in.global() || it == nil || in.interaction == it {
			s.post(in, d)
		}
	}
	s.postHost(d)
	return nil
}

func (e Status) apply(s *Session) error {
	if e.Attribute == "" {
		return errors.New("a status message needs an attribute")
	}
	d := s.encode(s.nextID(), "status", statePayload{Attribute: e.Attribute, Value: e.Value}, "")
	s.checkOutbound(d, "", SeverityWarning)
	for _, in := range s.instances {
		s.post(in, d)
	}
	s.postHost(d)
	return nil
}

func (e FailNextInit) apply(s *Session) error {
	reason := e.Reason
	if reason == "" {
		reason = "initiation failure"
	}
	s.faults.failNextInit = &reason
	return nil
}

func (e FailCommand) apply(s *Session) error {
	if !slices.Contains(Commands(), e.Command) {
		return errors.New(unknownWord("command", e.Command, Commands()))
	}
	if e.Reason == "" {
		delete(s.faults.fail, e.Command)
		return nil
	}
	if s.faults.fail == nil {
		s.faults.fail = map[string]string{}
	}
	s.faults.fail[e.Command] = e.Reason
	return nil
}

func (e DelayCommand) apply(s *Session) error {
	if e.Command != "init" && !slices.Contains(Commands(), e.Command) {
		return errors.New(unknownWord("command", e.Command, append(Commands(), "init")))
	}
	if e.By < 0 {
		return errors.New("a delay cannot be negative")
	}
	if e.By == 0 {
		delete(s.faults.delay, e.Command)
		return nil
	}
	if s.faults.delay == nil {
		s.faults.delay = map[string]time.Duration{}
	}
	s.faults.delay[e.Command] = e.By
	return nil
}

func (ClearFaults) apply(s *Session) error {
	s.faults = faults{}
	return nil
}
