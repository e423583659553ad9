package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/cpsim/cpsim/internal/suggest"
)

// Session is one agent's Communication Panel: the agent, the queues, the
// interactions and the extension instances, and the rules by which they
// talk. It does no I/O: every call takes one message or event and returns
// what to deliver, so that the host decides how, and tests decide nothing.
//
// A Session is not safe for concurrent use; its owner (one goroutine or one
// lock per browser page) serializes calls.
type Session struct {
	v          *Validator
	ids        IDFunc
	clock      Clock
	cacheLimit int
	cacheBytes int64 // what all caches may hold together (cache.go)
	cacheUsed  int64
	checkOut   bool

	user       User
	userRev    int // bumped on every change to user, for userJSON's cache
	userCache  userCache
	loginSince time.Time // zero while logged out
	workSecs   float64   // logged-in time of earlier logins
	pauseSince time.Time // zero unless logged in and not ready
	pauseSecs  float64
	queues     []*Queue
	exts       []*Extension

	interactions []*Interaction    // in the panel, oldest first
	gone         map[string]string // ids that left the panel, and how
	active       *Interaction      // the interaction the agent has selected
	instances    []*instance       // live extension instances, in start order
	activeExt    *instance         // the extension the agent has opened
	faults       faults

	host            *instance        // the embedding host, when embedded (embedhost.go)
	hostInitPending *pendingHostInit // the host's init, held while logged out
	quiet           bool             // status events are not sent (ApplyRMI)

	msgSeq  int
	instSeq int

	out      Output        // what the current step produces
	delay    time.Duration // a fault's delay for responses of the current step
	stopping []*instance   // instances to close when the step ends
}

// Options configure a Session. Only Data is required; the rest left zero
// run with random ids and the wall clock.
type Options struct {
	Data      *Data      // required: config.Default gives the built-in set
	Validator *Validator // nil: compile the schema (share one across sessions)
	IDs       IDFunc     // nil: RandomIDs
	Clock     Clock      // nil: time.Now
	// CacheLimit bounds the messages held for one instance until its init;
	// beyond it the oldest are dropped, and a diagnostic says so. Zero means
	// 10000.
	CacheLimit int
	// CacheBytes bounds the bytes of messages all instances' caches hold
	// together; beyond it the oldest of the biggest cache are dropped, and
	// a diagnostic says so. Zero means 8 MiB.
	CacheBytes int64
	// FirstInstance is the number the first instance gets, less one: a
	// session that restarts with a new engine continues its numbering, so
	// that no new instance takes the id of one its page still has.
	FirstInstance int
	// CheckOutbound validates every message the engine produces against the
	// schema, reporting a violation as an error diagnostic. The test suite
	// runs with it on; at run time it costs a JSON decode per message, so
	// the host turns it on with --strict. Messages that come from outside
	// (raw sends) are validated whatever this says.
	CheckOutbound bool
}

// New starts a session. When the agent starts logged in, the global
// extensions are running from the first moment.
func New(o Options) (*Session, error) {
	d := o.Data
	if d == nil {
		// The engine reads no files, not even its built-in set: that is
		// internal/config's.
		return nil, errors.New("state: Options.Data is required")
	}
	if err := d.Check("data"); err != nil {
		return nil, err
	}
	s := &Session{
		v:          o.Validator,
		ids:        o.IDs,
		clock:      o.Clock,
		cacheLimit: o.CacheLimit,
		cacheBytes: o.CacheBytes,
		checkOut:   o.CheckOutbound,
		gone:       map[string]string{},
		instSeq:    o.FirstInstance,
	}
	if s.v == nil {
		var err error
		if s.v, err = NewValidator(); err != nil {
			return nil, err
		}
	}
	if s.ids == nil {
		s.ids = RandomIDs()
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.cacheLimit <= 0 {
		s.cacheLimit = 10000
	}
	if s.cacheBytes <= 0 {
		s.cacheBytes = 8 << 20
	}
	s.build(d)
	if s.user.LoginStatus == "logged_in" {
		now := s.clock()
		s.loginSince = now
		if s.user.WorkStatus == "not_ready" {
			s.pauseSince = now
		}
		s.startGlobals()
	}
	s.out = Output{} // what New did is the starting state, not news
	return s, nil
}

// Output is what one step produced.
type Output struct {
	// Deliveries are messages to post into extension instances, in order.
	Deliveries []Delivery
	// Diagnostics describe problems with the messages of this step.
	Diagnostics []Diagnostic
	// Changes are extension instances that started, stopped or changed how
	// they are shown.
	Changes []Change
	// Created is the id of the interaction the step created, if any.
	Created string
	// Received describes the message Receive read, when it could read one.
	Received *Received
}

// Received is what the engine could read of an extension's message.
type Received struct {
	ID      string // "" when the message has no readable id
	Type    string
	Command string // for an action
}

// Delivery is one message for one extension instance.
type Delivery struct {
	To    string          // instance id
	Data  json.RawMessage // the message
	Type  string          // its type, for logs
	ID    string          // its id, as text
	Delay time.Duration   // deliver this much later (an injected fault, or a pick's latency: see pickLatency)
	// Fence keeps the order an extension relies on whatever delays are
	// injected: a fence reaches its instance after every delivery produced
	// before it, and nothing produced after it overtakes it. The init
	// response, the cached messages it releases and the panel's exit are
	// fences, so that an instance always hears the init response, then its
	// cache, then what happened since; so are the state messages of an
	// extension's pick, which come after its response. Other deliveries
	// keep their own delays: a late action response may be overtaken by
	// later events, as in production.
	Fence bool
}

// Severity grades a diagnostic.
type Severity string

// Error means cpsim could not act on the message as sent; warning means it
// did, but the message breaks the schema or will misbehave in production;
// info means nothing is wrong, but the developer should know (an exit an
// extension posted while it was being removed, which the panel ignores).
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Diagnostic is a problem with one message, for the host to show beside it.
type Diagnostic struct {
	Instance  string   `json:"instance,omitempty"`
	Direction string   `json:"direction"` // "in": sent by the extension; "out": sent to it
	MessageID string   `json:"messageId,omitempty"`
	Severity  Severity `json:"severity"`
	Kind      string   `json:"kind"` // "schema" or "protocol"
	Path      string   `json:"path,omitempty"`
	Text      string   `json:"text"`
}

// IsProblem reports whether the diagnostic is a protocol problem of the
// extension: something wrong with a message it sent (an unknown command or
// value, a schema violation, a malformed message, a refused action, a
// message the panel dropped). cpsim test fails a scenario on problems
// unless told to only report them; problems injected by a scenario's own
// faults are never diagnosed at all.
func (d Diagnostic) IsProblem() bool {
	return d.Direction == "in" && (d.Severity == SeverityError || d.Severity == SeverityWarning)
}

func (d Diagnostic) String() string {
	where := d.Path
	if where != "" {
		where = " " + where
	}
	return fmt.Sprintf("%s %s%s: %s", d.Severity, d.Kind, where, d.Text)
}

// ChangeKind says what happened to an instance.
type ChangeKind string

// The kinds of instance change.
const (
	Started ChangeKind = "started"
	Stopped ChangeKind = "stopped"
	Updated ChangeKind = "updated" // visible, enabled or expanded changed
)

// Change is an instance that started, stopped or changed.
type Change struct {
	Kind     ChangeKind   `json:"kind"`
	Instance InstanceView `json:"instance"`
}

// envelope is a message as it goes on the wire.
type envelope struct {
	ID      json.RawMessage `json:"id"`
	Type    string          `json:"type"`
	Payload any             `json:"payload,omitempty"`
}

type responsePayload struct {
	Value  any    `json:"value"`
	Reason string `json:"reason,omitempty"`
}

type statePayload struct {
	Attribute   string       `json:"attribute"`
	Value       any          `json:"value"`
	Interaction *Interaction `json:"interaction,omitempty"`
}

// begin and end bracket one step; every exported entry point uses them.
func (s *Session) begin() {
	s.out = Output{}
	s.delay = 0
}

func (s *Session) end() Output {
	// Instances close last, so that an extension that handles its own
	// interaction gets its response before the panel's exit; the exit keeps
	// any injected delay so that it never overtakes a late response.
	for _, in := range s.stopping {
		s.stopInstance(in)
	}
	s.stopping = nil
	o := s.out
	s.out = Output{}
	s.delay = 0
	return o
}

// msgID is a message id as JSON, to put on the wire, and as text, for
// logs and diagnostics.
type msgID struct {
	raw  json.RawMessage
	text string
}

// nextID numbers the panel's own messages: cp-1, cp-2, ...
func (s *Session) nextID() msgID {
	s.msgSeq++
	text := "cp-" + strconv.Itoa(s.msgSeq)
	return msgID{raw: json.RawMessage(`"` + text + `"`), text: text}
}

// encode marshals a message the engine produced. want names the schema
// definition of a response value ("" for other messages). A message that
// breaks the schema is a bug in cpsim: tests walk every command and event
// with CheckOutbound on to prove there is none.
func (s *Session) encode(id msgID, typ string, payload any, want string) Delivery {
	var data []byte
	var err error
	if r, ok := payload.(responsePayload); ok && r.Reason == "" {
		if raw, ok := r.Value.(json.RawMessage); ok {
			// A value already encoded (the user object, from its cache):
			// write the envelope around it rather than re-encode it.
			data = append(append(append(append(make([]byte, 0, len(raw)+len(id.raw)+40),
				`{"id":`...), id.raw...), `,"type":"response","payload":{"value":`...), raw...)
			data = append(data, "}}"...)
		}
	}
	if data == nil {
		data, err = json.Marshal(envelope{ID: id.raw, Type: typ, Payload: payload})
	}
	if err != nil {
		// Payloads are built from JSON-safe values and caller data that came
		// from JSON or YAML; reaching here is a bug worth a loud report.
		s.diag(Diagnostic{Direction: "out", MessageID: id.text, Severity: SeverityError, Kind: "protocol",
			Text: "cpsim could not encode a " + typ + " message: " + err.Error()})
		data, _ = json.Marshal(envelope{ID: id.raw, Type: typ})
	}
	d := Delivery{Data: data, Type: typ, ID: id.text}
	if s.checkOut {
		s.checkOutbound(d, want, SeverityError)
	}
	return d
}

// checkOutbound validates a message on its way to an extension.
func (s *Session) checkOutbound(d Delivery, want string, sev Severity) {
	x, err := decodeJSON(d.Data)
	msg, ok := x.(map[string]any)
	if err != nil || !ok {
		s.diag(Diagnostic{Direction: "out", MessageID: d.ID, Severity: sev, Kind: "protocol",
			Text: "the message is not a JSON object"})
		return
	}
	for _, p := range s.v.Outbound(msg, want) {
		s.diag(Diagnostic{Direction: "out", MessageID: d.ID, Severity: sev, Kind: "schema", Path: p.Path, Text: p.Text})
	}
}

func (s *Session) diag(d Diagnostic) {
	s.out.Diagnostics = append(s.out.Diagnostics, d)
}

// post hands a message to an instance under the cache rules: delivered when
// the extension has sent init, cached while it has not (or has sent exit),
// dropped when the instance is gone.
func (s *Session) post(in *instance, d Delivery) {
	d.To = in.id
	switch in.phase {
	case PhaseReady:
		s.out.Deliveries = append(s.out.Deliveries, d)
	case PhaseLoaded, PhaseExited:
		s.cacheAdd(in, d)
	}
}

// deliver sends a message now, whatever the phase: responses answer a
// request, and the panel's exit ends the instance.
func (s *Session) deliver(in *instance, d Delivery) {
	if in.phase == PhaseClosed {
		return
	}
	d.To = in.id
	s.out.Deliveries = append(s.out.Deliveries, d)
}

func (s *Session) respond(in *instance, id msgID, value any, want string) {
	d := s.encode(id, "response", responsePayload{Value: value}, want)
	d.Delay = s.delay
	s.deliver(in, d)
}

// refuse answers an extension's request with an error because of what the
// request is, and diagnoses it as a protocol problem ("refused") beside
// the request: an extension that is refused is doing something production
// refuses too.
func (s *Session) refuse(in *instance, id msgID, reason string) {
	s.answerError(in, id, reason)
	s.diag(Diagnostic{Instance: in.id, Direction: "in", MessageID: id.text, Severity: SeverityError, Kind: "refused", Text: reason})
}

// answerError answers a request with an error that is not the extension's
// fault, or whose cause is diagnosed already: a fault the developer
// injected.
func (s *Session) answerError(in *instance, id msgID, reason string) {
	d := s.encode(id, "response", responsePayload{Value: "error", Reason: reason}, "ok")
	d.Delay = s.delay
	s.deliver(in, d)
}

// emitState tells those who follow it that an interaction changed: its own
// instances and every global one. A message about no interaction (it nil:
// activeInteraction null) goes to the global instances only.
func (s *Session) emitState(it *Interaction, attr string, value any) {
	d := s.encode(s.nextID(), "state", statePayload{Attribute: attr, Value: value, Interaction: it}, "")
	for _, in := range s.instances {
		if in.global() || in.interaction == it {
			s.post(in, d)
		}
	}
	s.postHost(d)
}

// emitStatus tells every instance that the agent changed.
func (s *Session) emitStatus(attr string, value any) {
	if s.quiet {
		return
	}
	d := s.encode(s.nextID(), "status", statePayload{Attribute: attr, Value: value}, "")
	for _, in := range s.instances {
		s.post(in, d)
	}
	s.postHost(d)
}

// instance finds a live instance by id.
func (s *Session) instance(id string) *instance {
	for _, in := range s.instances {
		if in.id == id {
			return in
		}
	}
	return nil
}

// startInstance loads an extension, for an interaction or (nil) globally.
func (s *Session) startInstance(e *Extension, it *Interaction) *instance {
	s.instSeq++
	in := &instance{
		id:          instanceName(e.Key) + "-" + strconv.Itoa(s.instSeq),
		ext:         e,
		interaction: it,
		visible:     e.Visible,
		enabled:     e.Enabled,
		expanded:    e.Expanded,
		phase:       PhaseLoaded,
	}
	s.instances = append(s.instances, in)
	s.out.Changes = append(s.out.Changes, Change{Kind: Started, Instance: in.view()})
	return in
}

// stopInstance sends the panel's exit and removes the instance. The exit is
// delivered even before init: the instance is going away, and whatever it
// had cached goes with it.
func (s *Session) stopInstance(in *instance) {
	if in.phase == PhaseClosed {
		return
	}
	d := s.encode(s.nextID(), "exit", nil, "")
	d.Delay = s.delay
	d.Fence = true
	s.deliver(in, d)
	in.phase = PhaseClosed
	s.cacheTake(in)
	s.instances = slices.DeleteFunc(s.instances, func(x *instance) bool { return x == in })
	if s.activeExt == in {
		s.activeExt = nil
	}
	s.out.Changes = append(s.out.Changes, Change{Kind: Stopped, Instance: in.view()})
}

// instanceName makes an extension key safe to use in an instance id, which
// the host puts in URLs and element ids: the seed's own example key is
// "Communication Panel_3rdParty".
func instanceName(key string) string {
	b := []byte(key)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}

func (s *Session) startGlobals() {
	for _, e := range s.exts {
		if e.Mode == ModeGlobal {
			s.startInstance(e, nil)
		}
	}
}

// startFor loads the interaction-specific extensions configured for an
// interaction's queue, now that the agent owns it.
func (s *Session) startFor(it *Interaction) {
	for _, e := range s.exts {
		if e.Mode == ModeInteraction && e.servesQueue(it.queue) {
			s.startInstance(e, it)
		}
	}
}

// stopFor closes an interaction's instances when the step ends.
func (s *Session) stopFor(it *Interaction) {
	for _, in := range s.instances {
		if in.interaction == it {
			s.stopping = append(s.stopping, in)
		}
	}
}

// Receive handles one message an extension instance posted to the panel.
// Whatever the bytes, it answers with an error response whenever an id can
// be read, reports what is wrong as diagnostics, and never panics.
func (s *Session) Receive(from string, data []byte) Output {
	s.begin()
	s.receive(from, data)
	s.route() // an action may have freed the agent for another interaction
	return s.end()
}

func (s *Session) receive(from string, data []byte) {
	s.receiveMessage(from, data)
	s.oneProblemPerRefusal()
}

// oneProblemPerRefusal makes a refused message one problem, not two: the
// refusal says what is wrong ("unknown command \"callstate\": the command
// is \"callState\""), and the schema's violations of the same message
// become notes beside it.
func (s *Session) oneProblemPerRefusal() {
	refused := false
	for _, d := range s.out.Diagnostics {
		refused = refused || (d.Direction == "in" && d.Severity == SeverityError)
	}
	if !refused {
		return
	}
	for i, d := range s.out.Diagnostics {
		if d.Direction == "in" && d.Kind == "schema" && d.Severity == SeverityWarning {
			s.out.Diagnostics[i].Severity = SeverityInfo
		}
	}
}

func (s *Session) receiveMessage(from string, data []byte) {
	in := s.endpoint(from)
	report := func(sev Severity, kind, path, text string, id msgID) {
		s.diag(Diagnostic{Instance: from, Direction: "in", MessageID: id.text, Severity: sev, Kind: kind, Path: path, Text: text})
	}
	if in == nil {
		report(SeverityError, "protocol", "", fmt.Sprintf("no extension instance %q is loaded: the message was dropped", from), msgID{})
		return
	}
	x, err := decodeJSON(data)
	if err != nil {
		report(SeverityError, "protocol", "", err.Error()+"; the panel cannot answer a message it cannot read", msgID{})
		return
	}
	msg, ok := x.(map[string]any)
	if !ok {
		report(SeverityError, "protocol", "", fmt.Sprintf("a message must be a JSON object with id, type and payload, not %s", jsonKind(x)), msgID{})
		return
	}
	id, readable := readID(msg["id"])
	typ, _ := msg["type"].(string)
	rcv := &Received{ID: id.text, Type: typ}
	if p, ok := msg["payload"].(map[string]any); ok && typ == "action" {
		rcv.Command, _ = p["command"].(string)
	}
	s.out.Received = rcv
	for _, p := range s.v.Inbound(msg) {
		if why := allowedAnyway(msg, p.Path); why != "" {
			report(SeverityInfo, "schema", p.Path, p.Text+" ("+why+")", id)
			continue
		}
		report(SeverityWarning, "schema", p.Path, p.Text, id)
	}
	if !readable {
		report(SeverityError, "protocol", "/id", "the message has no string or number id, so the panel cannot answer it; nothing was done", msgID{})
		return
	}
	switch _, ok := msg["type"].(string); {
	case !ok:
		s.answerError(in, id, "the message has no type: send init, exit or action")
		report(SeverityError, "protocol", "/type", "missing or not a string", id)
	case typ == "init":
		s.init(in, id, msg)
	case typ == "exit":
		s.respond(in, id, "ok", "ok")
		if in.phase == PhaseReady {
			in.phase = PhaseExited
		}
	case typ == "action":
		s.action(in, id, msg)
	case typ == "response" || typ == "state" || typ == "status":
		s.answerError(in, id, fmt.Sprintf("%q messages are sent by the panel, not by extensions: send init, exit or action", typ))
		report(SeverityError, "protocol", "/type", typ+" is a panel-to-extension type", id)
	default:
		reason := fmt.Sprintf("unknown message type %q: send init, exit or action", typ)
		if hint := suggest.Hint(typ, []string{"init", "exit", "action"}); hint != "" {
			reason = fmt.Sprintf("unknown message type %q: %s", typ, hint)
		}
		s.answerError(in, id, reason)
		report(SeverityError, "protocol", "/type", reason, id)
	}
}

// Loaded reports whether an extension instance is live: loaded, and not
// yet closed by the panel's exit.
func (s *Session) Loaded(id string) bool { return s.endpoint(id) != nil }

// Unrelayable answers a message an extension posted that never reached
// the engine, because the page could not relay it (too big, or not
// serializable as JSON): id is the message's id as JSON (a string or a
// number; nil when the page could not read one) and reason says why. The
// extension gets an error response carrying the reason when its id can be
// read, so that it is not left waiting; either way the message is
// diagnosed as a protocol problem.
func (s *Session) Unrelayable(from string, id json.RawMessage, reason string) Output {
	s.begin()
	in := s.endpoint(from)
	var mid msgID
	readable := false
	if len(id) > 0 {
		if x, err := decodeJSON(id); err == nil {
			mid, readable = readID(x)
		}
	}
	text := "the page could not relay this message: " + reason
	if in != nil && readable {
		s.answerError(in, mid, text)
	} else if in != nil {
		text += "; it has no string or number id, so it could not be answered"
	}
	s.diag(Diagnostic{Instance: from, Direction: "in", MessageID: mid.text, Severity: SeverityError, Kind: "protocol", Text: text})
	return s.end()
}

// allowedAnyway says why a schema violation at path is one the seed itself
// makes or allows, in its prose or its own examples, or one production's
// client library makes (CPC.js), so that production accepts it
// (docs/spec-notes.md): a note, not a problem an extension must fix. It
// returns "" for any other violation.
func allowedAnyway(msg map[string]any, path string) string {
	if path == "/id" {
		if _, ok := msg["id"].(json.Number); ok {
			return `the prose allows "an increasing number" as id; see docs/spec-notes.md #14`
		}
		return ""
	}
	typ, _ := msg["type"].(string)
	if typ == "exit" && path == "/payload" && msg["payload"] == nil {
		return "the seed's own example library sends it; see docs/spec-notes.md #13"
	}
	p, _ := msg["payload"].(map[string]any)
	if typ != "action" || p == nil {
		return ""
	}
	cmd, _ := p["command"].(string)
	switch path {
	case "/payload":
		_, hasValue := p["value"]
		switch {
		case cmd == "join" && !hasValue:
			return "the seed's schema wants a value, but production's client library sends join with none (CPC.js joinCalls); see docs/spec-notes.md"
		case cmd == "picklist" && !hasValue:
			return "production's client library sends picklist with no value (CPC.js picklist); see docs/spec-notes.md"
		}
	case "/payload/command":
		if cmd == "picklist" {
			return "the seed's schema lacks picklist, which production's client library sends (CPC.js picklist); see docs/spec-notes.md"
		}
	case "/payload/value":
		if cmd == "detail" && p["value"] == "interactions" {
			return "the prose lists interactions; see docs/spec-notes.md #3"
		}
		if v, _ := p["value"].(string); cmd == "detail" && idPattern.MatchString(v) {
			return "production's client library asks for an interaction's details by its id (CPC.js getDetails); see docs/spec-notes.md"
		}
	case "/payload/value/channel":
		if v, _ := p["value"].(map[string]any); cmd == "outbound" && v["channel"] == "whatsapp" {
			return "the prose lists whatsapp for outbound; see docs/spec-notes.md #2"
		}
	case "/payload/value/to":
		if v, _ := p["value"].(map[string]any); cmd == "outbound" && v["channel"] == "email" && stringList(v["to"]) {
			return "the prose's email example sends a list of addresses; see docs/spec-notes.md #25"
		}
	}
	return ""
}

// stringList reports whether x is a JSON list of strings.
func stringList(x any) bool {
	list, ok := x.([]any)
	if !ok {
		return false
	}
	for _, v := range list {
		if _, ok := v.(string); !ok {
			return false
		}
	}
	return true
}

// readID returns the JSON of an id the panel can echo back: a string, or a
// number (the prose allows "an increasing number"; the schema does not,
// and the validator warns).
func readID(v any) (msgID, bool) {
	switch x := v.(type) {
	case string:
		b, _ := json.Marshal(x)
		return msgID{raw: b, text: x}, true
	case json.Number:
		return msgID{raw: json.RawMessage(x), text: string(x)}, true
	}
	return msgID{}, false
}

func jsonKind(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	}
	return "an object"
}

// init handles the extension's init: answer with the interaction details,
// then deliver (true) or drop (false) what was cached.
func (s *Session) init(in *instance, id msgID, msg map[string]any) {
	if in.host {
		s.hostInit(in, id, msg)
		return
	}
	flush := false
	if p, ok := msg["payload"]; ok && p != nil {
		b, isBool := p.(bool)
		if !isBool {
			s.refuse(in, id, "the init payload must be true (deliver the cached messages) or false (drop them)")
			return
		}
		flush = b
	}
	s.delay = s.faults.delay["init"]
	if s.faults.failNextInit != nil {
		reason := *s.faults.failNextInit
		s.faults.failNextInit = nil
		s.answerError(in, id, reason)
		return
	}
	value, want := s.initValue(in)
	s.respond(in, id, value, want)
	s.fenceLast()
	in.phase = PhaseReady
	s.releaseCache(in, flush, s.delay) // behind a late init response
}

// fenceLast marks the delivery just produced as a fence (see
// Delivery.Fence).
func (s *Session) fenceLast() {
	if n := len(s.out.Deliveries); n > 0 {
		s.out.Deliveries[n-1].Fence = true
	}
}

// initValue is what an init response carries (spec-notes #18): an
// interaction-specific instance's own interaction, as the seed's example
// shows; for a global instance "the details of the current interactions",
// the list detail interactions answers, [] when there are none. That list
// is what production's client library reads of the panel's init answer
// (CPC.js's message listener: ready when payload.value.length is 0).
func (s *Session) initValue(in *instance) (any, string) {
	if it := in.interaction; it != nil {
		return it, "interaction"
	}
	return append([]*Interaction{}, s.interactions...), "interactions" // [] rather than null
}

// Reload is the page reloading: every extension iframe starts afresh, so
// every live instance goes back to waiting for its init. Events that were
// handed to the page but never reached an extension (undelivered, in the
// order they were produced) go back in front of their instance's cache, so
// that an init with payload true delivers them: none is lost. Responses
// and exits among them are dropped: they answered or ended the extension's
// previous life, which the new page does not have.
func (s *Session) Reload(undelivered []Delivery) Output {
	s.begin()
	back := map[string][]Delivery{}
	for _, d := range undelivered {
		if d.Type == "state" || d.Type == "status" {
			back[d.To] = append(back[d.To], d)
		}
	}
	for _, in := range s.instances {
		in.phase = PhaseLoaded
		if len(back[in.id]) > 0 {
			s.cacheFront(in, back[in.id])
		}
		s.out.Changes = append(s.out.Changes, Change{Kind: Updated, Instance: in.view()})
	}
	s.reloadHost(back[HostInstance])
	return s.end()
}

// Shutdown sends the panel's exit to every live instance, as when the panel
// closes, and leaves the session with none.
func (s *Session) Shutdown() Output {
	s.begin()
	s.stopping = append(s.stopping, s.instances...)
	s.hostExit()
	return s.end()
}
