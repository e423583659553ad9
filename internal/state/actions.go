package state

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/cpsim/cpsim/internal/suggest"
)

// Commands lists the action commands of the API: the seed's, in its order,
// then picklist, which production's client library sends (CPC.js
// picklist) and the seed's schema lacks.
func Commands() []string {
	return []string{"outbound", "detail", "transfer", "consult", "join", "dtmf",
		"message", "visible", "enabled", "expanded", "interaction", "callState", "picklist"}
}

// DetailValues lists the words the detail command can ask for; it also
// takes an interaction's id (CPC.js getDetails(id)).
func DetailValues() []string {
	return []string{"user", "interaction", "interactions", "queue", "queues",
		"transcript", "extension", "activeExtension", "activeInteraction"}
}

// InteractionOps lists the values of the interaction command.
func InteractionOps() []string {
	return []string{"accept", "reject", "pick", "handle", "hangup"}
}

// CallStateOps lists the values of the callState command.
func CallStateOps() []string {
	return []string{"startRecording", "stopRecording", "hold", "unhold", "mute", "unmute"}
}

// action handles an extension's action message.
func (s *Session) action(in *instance, id msgID, msg map[string]any) {
	p, ok := msg["payload"].(map[string]any)
	if !ok {
		s.refuse(in, id, `an action needs a payload object such as {"command": "detail", "value": "user"}`)
		return
	}
	cmd, ok := p["command"].(string)
	if !ok {
		s.refuse(in, id, "the action has no command: set payload.command to one of "+strings.Join(Commands(), ", "))
		return
	}
	if !slices.Contains(Commands(), cmd) {
		s.refuse(in, id, unknownWord("command", cmd, Commands()))
		return
	}
	switch in.phase {
	case PhaseLoaded:
		s.refuse(in, id, `the extension has not sent init: send {"type": "init"} before any action`)
		return
	case PhaseExited:
		s.refuse(in, id, "the extension sent exit: send init again before any action")
		return
	}
	s.delay = s.faults.delay[cmd]
	if reason, ok := s.faults.fail[cmd]; ok {
		s.answerError(in, id, reason)
		return
	}
	value, want, err := s.run(in, id, cmd, p)
	switch {
	case errors.Is(err, errAnswered): // the response is in the output already
	case err != nil:
		s.refuse(in, id, err.Error())
	default:
		s.respond(in, id, value, want)
	}
}

// unknownWord explains a word that is not one of known, with the word that
// was most likely meant.
func unknownWord(what, got string, known []string) string {
	if best, ok := suggest.Closest(got, known); ok {
		if strings.EqualFold(strings.TrimSuffix(got, "s"), best) || strings.EqualFold(got, best) {
			return fmt.Sprintf("unknown %s %q: the %s is %q", what, got, what, best)
		}
		return fmt.Sprintf("unknown %s %q: %s", what, got, suggest.Hint(got, known))
	}
	return fmt.Sprintf("unknown %s %q: use one of %s", what, got, strings.Join(known, ", "))
}

// run executes a command and returns the response value and the schema
// definition it must match.
func (s *Session) run(in *instance, id msgID, cmd string, p map[string]any) (any, string, error) {
	switch cmd {
	case "detail":
		return s.detail(in, p)
	case "outbound":
		return s.outboundAction(p)
	case "transfer", "consult", "join":
		return s.routeAction(in, cmd, p)
	case "message", "dtmf":
		return s.sendAction(in, cmd, p)
	case "visible", "enabled", "expanded":
		return s.flagAction(in, cmd, p)
	case "interaction":
		return s.interactionAction(in, id, p)
	case "callState":
		return s.callStateAction(in, p)
	case "picklist":
		return s.picklistAction(p)
	}
	return nil, "", fmt.Errorf("command %q is not implemented", cmd) // unreachable: Commands() is checked first
}

// target is the interaction an action acts on: the one named by
// interactionId, else the instance's own, else (for a global instance) the
// active one.
func (s *Session) target(in *instance, p map[string]any) (*Interaction, error) {
	if raw, ok := p["interactionId"]; ok {
		id, isString := raw.(string)
		if !isString {
			return nil, fmt.Errorf("interactionId must be a string, not %s", jsonKind(raw))
		}
		return s.lookup(id)
	}
	if in.interaction != nil {
		return in.interaction, nil
	}
	if s.active == nil {
		return nil, errors.New("no interaction is active: set interactionId to say which interaction")
	}
	return s.active, nil
}

// lookup finds an interaction in the panel by id, and explains one that
// has left it.
func (s *Session) lookup(id string) (*Interaction, error) {
	it, err := s.inPanel(id)
	if it != nil || err != nil {
		return it, err
	}
	if !idPattern.MatchString(id) {
		return nil, fmt.Errorf("unknown interactionId %q: interaction ids are 32 letters and digits", id)
	}
	return nil, fmt.Errorf("unknown interactionId %q: no interaction in the panel has that id", id)
}

// inPanel finds an interaction in the panel by id: nil and an error that
// says how one that has left the panel left it, or nil and nil when the id
// is unknown.
func (s *Session) inPanel(id string) (*Interaction, error) {
	for _, it := range s.interactions {
		if it.ID == id {
			return it, nil
		}
	}
	if how, ok := s.gone[id]; ok {
		return nil, fmt.Errorf("interaction %s was %s and is no longer in the panel", id, how)
	}
	return nil, nil
}

// detailByID answers detail with an interaction's id as its value, as
// production's client library asks (CPC.js getDetails(id), which takes
// any 32-character subject for an id).
func (s *Session) detailByID(id string) (*Interaction, error) {
	it, err := s.inPanel(id)
	if it == nil && err == nil {
		err = fmt.Errorf("interaction %s is not in the panel: detail takes the id of an interaction in the panel, or one of %s", id, strings.Join(DetailValues(), ", "))
	}
	return it, err
}

func (s *Session) detail(in *instance, p map[string]any) (any, string, error) {
	what, ok := p["value"].(string)
	if !ok {
		return nil, "", errors.New("detail needs a value: one of " + strings.Join(DetailValues(), ", "))
	}
	switch what {
	case "user":
		u, err := s.userJSON()
		return u, "user", err
	case "interaction":
		it, err := s.target(in, p)
		if err != nil {
			return nil, "", err
		}
		return it, "interaction", nil
	case "interactions":
		list := make([]*Interaction, len(s.interactions))
		copy(list, s.interactions)
		return list, "interactions", nil
	case "queue":
		it, err := s.target(in, p)
		if err != nil {
			return nil, "", err
		}
		return it.queue, "queue", nil
	case "queues":
		return s.queues, "queues", nil
	case "transcript":
		it, err := s.target(in, p)
		if err != nil {
			return nil, "", err
		}
		if it.Transcript == nil {
			return []TranscriptMessage{}, "transcript", nil
		}
		return it.Transcript.Messages, "transcript", nil
	case "extension":
		if in.host {
			return nil, "", errHostExtension
		}
		return in.info(), "extension", nil
	case "activeExtension":
		if s.activeExt == nil {
			return nil, "", errors.New("no extension is open: the agent has not selected one in the sidebar")
		}
		return s.activeExt.info(), "extension", nil
	case "activeInteraction":
		if s.active == nil {
			return nil, "", errors.New("no interaction is active")
		}
		return s.active, "interaction", nil
	}
	if idPattern.MatchString(what) {
		it, err := s.detailByID(what)
		if err != nil {
			return nil, "", err
		}
		return it, "interaction", nil
	}
	return nil, "", errors.New(unknownWord("detail value", what, DetailValues()))
}

// valueObject returns the action's value when it must be an object.
func valueObject(cmd string, p map[string]any, example string) (map[string]any, error) {
	v, ok := p["value"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s needs a value object such as %s", cmd, example)
	}
	return v, nil
}

// optString reads an optional string field of a value object.
func optString(cmd string, v map[string]any, key string) (string, error) {
	raw, ok := v[key]
	if !ok || raw == nil {
		return "", nil
	}
	s, ok := raw.(string)
	if !ok {
		return "", fmt.Errorf("%s: value.%s must be a string, not %s", cmd, key, jsonKind(raw))
	}
	return s, nil
}

// optStrings reads an optional field that may be a string or an array of
// strings (the seed's own email example sends "to" as an array).
func optStrings(cmd string, v map[string]any, key string) ([]string, error) {
	switch x := v[key].(type) {
	case nil:
		return nil, nil
	case string:
		if x == "" {
			return nil, nil
		}
		return []string{x}, nil
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s: value.%s must hold strings, not %s", cmd, key, jsonKind(e))
			}
			if s != "" {
				out = append(out, s)
			}
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%s: value.%s must be a string or an array of strings, not %s", cmd, key, jsonKind(x))
	}
}

// OutboundRequest asks for a new outgoing interaction.
type OutboundRequest struct {
	Channel string   `json:"channel"` // phone, sms, whatsapp or email
	To      []string `json:"to"`      // one number, or email addresses
	From    string   `json:"from,omitempty"`
	Subject string   `json:"subject,omitempty"`
	Content string   `json:"content,omitempty"`
	CC      []string `json:"cc,omitempty"`
	BCC     []string `json:"bcc,omitempty"`
}

func (r OutboundRequest) clone() OutboundRequest {
	r.To, r.CC, r.BCC = slices.Clone(r.To), slices.Clone(r.CC), slices.Clone(r.BCC)
	return r
}

func parseOutbound(v map[string]any) (OutboundRequest, bool, error) {
	var r OutboundRequest
	var err error
	if r.Channel, err = optString("outbound", v, "channel"); err != nil {
		return r, false, err
	}
	switch r.Channel {
	case Phone, SMS, WhatsApp, Email:
	case "":
		return r, false, errors.New("outbound needs value.channel: phone, sms, whatsapp or email")
	case Chat:
		return r, false, errors.New("outbound supports phone, sms, whatsapp and email: a chat is started by the customer")
	default:
		return r, false, errors.New(unknownWord("outbound channel", r.Channel, []string{Phone, SMS, WhatsApp, Email}))
	}
	if r.To, err = optStrings("outbound", v, "to"); err != nil {
		return r, false, err
	}
	if len(r.To) == 0 {
		what := "the number to call"
		switch r.Channel {
		case Email:
			what = "the address to write to"
		case SMS, WhatsApp:
			what = "the number to message"
		}
		return r, false, fmt.Errorf("outbound needs value.to: %s", what)
	}
	if r.Channel != Email && len(r.To) > 1 {
		return r, false, fmt.Errorf("outbound %s goes to one number, not %d", r.Channel, len(r.To))
	}
	if r.From, err = optString("outbound", v, "from"); err != nil {
		return r, false, err
	}
	if r.Subject, err = optString("outbound", v, "subject"); err != nil {
		return r, false, err
	}
	if r.Content, err = optString("outbound", v, "content"); err != nil {
		return r, false, err
	}
	if r.CC, err = optStrings("outbound", v, "cc"); err != nil {
		return r, false, err
	}
	if r.BCC, err = optStrings("outbound", v, "bcc"); err != nil {
		return r, false, err
	}
	direct := false
	if raw, ok := v["direct"]; ok && raw != nil {
		b, isBool := raw.(bool)
		if !isBool {
			return r, false, fmt.Errorf("outbound: value.direct must be true or false, not %s", jsonKind(raw))
		}
		direct = b
	}
	return r, direct, nil
}

// outboundAction answers an outbound at once with the interaction it
// creates, as production does: CPC.js's callOut, sendSMS, sendEmail and
// startWhatsAppChat return the created interaction from the response, and
// its xdmSendAction gives up after 5 s. A call dials whether or not it is
// direct; an SMS, WhatsApp or email without direct: true opens as a draft
// (outgoing / outbound_preview) that the agent sends or discards.
func (s *Session) outboundAction(p map[string]any) (any, string, error) {
	v, err := valueObject("outbound", p, `{"channel": "phone", "to": "+358401234567"}`)
	if err != nil {
		return nil, "", err
	}
	req, direct, err := parseOutbound(v)
	if err != nil {
		return nil, "", err
	}
	it, err := s.outbound(req, !direct && req.Channel != Phone)
	if err != nil {
		return nil, "", err
	}
	return it, "interaction", nil
}

func (s *Session) routeAction(in *instance, cmd string, p map[string]any) (any, string, error) {
	it, err := s.target(in, p)
	if err != nil {
		return nil, "", err
	}
	var to string
	var cad map[string]any
	if raw, ok := p["value"]; ok && raw != nil {
		v, isObj := raw.(map[string]any)
		if !isObj {
			return nil, "", fmt.Errorf(`%s needs a value object such as {"to": "+358401234567"}`, cmd)
		}
		if to, err = optString(cmd, v, "to"); err != nil {
			return nil, "", err
		}
		if c, ok := v["cad"]; ok && c != nil {
			if cmd != "transfer" {
				return nil, "", fmt.Errorf("%s: value.cad is passed on transfer only", cmd)
			}
			if cad, ok = c.(map[string]any); !ok {
				return nil, "", fmt.Errorf("transfer: value.cad must be an object of caller data, not %s", jsonKind(c))
			}
		}
	}
	var res *Interaction
	switch cmd {
	case "transfer":
		res, err = s.transfer(it, to, cad)
	case "consult":
		res, err = s.consult(it, to)
	case "join":
		res, err = s.join(it)
	}
	if err != nil {
		return nil, "", err
	}
	return res, "interaction", nil
}

func (s *Session) sendAction(in *instance, cmd string, p map[string]any) (any, string, error) {
	if _, named := p["interactionId"]; !named && in.global() {
		return nil, "", fmt.Errorf("a global extension must name the interaction: set interactionId for %s", cmd)
	}
	it, err := s.target(in, p)
	if err != nil {
		return nil, "", err
	}
	example := `{"content": "Hello"}`
	if cmd == "dtmf" {
		example = `{"content": "123#"}`
	}
	v, err := valueObject(cmd, p, example)
	if err != nil {
		return nil, "", err
	}
	content, err := optString(cmd, v, "content")
	if err != nil {
		return nil, "", err
	}
	if cmd == "dtmf" {
		err = s.sendDTMF(it, content)
	} else {
		err = s.say(it, true, content)
	}
	if err != nil {
		return nil, "", err
	}
	return "ok", "ok", nil
}

func (s *Session) flagAction(in *instance, cmd string, p map[string]any) (any, string, error) {
	if in.host {
		return nil, "", errHostFlag
	}
	b, ok := p["value"].(bool)
	if !ok {
		return nil, "", fmt.Errorf("%s needs value true or false", cmd)
	}
	switch cmd {
	case "visible":
		in.visible = b
	case "enabled":
		in.enabled = b
	case "expanded":
		in.expanded = b
	}
	s.out.Changes = append(s.out.Changes, Change{Kind: Updated, Instance: in.view()})
	if in.global() {
		s.diag(Diagnostic{Instance: in.id, Direction: "in", Severity: SeverityWarning, Kind: "protocol",
			Text: cmd + " has no effect on a global extension: global extensions are hidden and have no sidebar button"})
	}
	return "ok", "ok", nil
}

func (s *Session) interactionAction(in *instance, id msgID, p map[string]any) (any, string, error) {
	op, ok := p["value"].(string)
	if !ok {
		return nil, "", errors.New("interaction needs value: one of " + strings.Join(InteractionOps(), ", "))
	}
	if !slices.Contains(InteractionOps(), op) {
		return nil, "", errors.New(unknownWord("interaction value", op, InteractionOps()))
	}
	var it *Interaction
	var err error
	if _, named := p["interactionId"]; !named && in.global() && (op == "accept" || op == "reject" || op == "pick") {
		it, err = s.waiting(op)
	} else {
		it, err = s.target(in, p)
	}
	if err != nil {
		return nil, "", err
	}
	switch op {
	case "accept":
		err = s.accept(it)
	case "reject":
		err = s.reject(it)
	case "pick":
		if err := s.pickAction(in, id, it); err != nil {
			return nil, "", err
		}
		return nil, "", errAnswered
	case "handle":
		err = s.handle(it)
	case "hangup":
		err = s.hangup(it)
	}
	if err != nil {
		return nil, "", err
	}
	return "ok", "ok", nil
}

// waiting is what a global extension accepts, rejects or picks when it does
// not name the interaction: the one offered to the agent (accept, reject) or
// the oldest in a queue (pick).
func (s *Session) waiting(op string) (*Interaction, error) {
	want := StatusIncoming
	if op == "pick" {
		want = StatusQueued
	}
	var found []*Interaction
	for _, it := range s.interactions {
		if it.Status == want {
			found = append(found, it)
		}
	}
	switch {
	case len(found) == 0:
		return nil, fmt.Errorf("no interaction is %s: nothing to %s", want, op)
	case len(found) > 1 && op != "pick":
		return nil, fmt.Errorf("%d interactions are %s: set interactionId to say which to %s", len(found), want, op)
	}
	return found[0], nil
}

func (s *Session) callStateAction(in *instance, p map[string]any) (any, string, error) {
	op, ok := p["value"].(string)
	if !ok {
		return nil, "", errors.New("callState needs value: one of " + strings.Join(CallStateOps(), ", "))
	}
	if !slices.Contains(CallStateOps(), op) {
		return nil, "", errors.New(unknownWord("callState value", op, CallStateOps()))
	}
	it, err := s.target(in, p)
	if err != nil {
		return nil, "", err
	}
	if err := s.callState(it, op); err != nil {
		return nil, "", err
	}
	return "ok", "ok", nil
}
