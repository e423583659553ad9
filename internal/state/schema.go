package state

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

// seedSchema is the message schema of the seed document, byte for byte, so
// that cpsim validates against exactly what extension authors are given.
//
//go:embed message.schema.json
var seedSchema []byte

// cpsimSchema holds cpsim's definitions for what the seed leaves out; each
// is a decision written down in docs/spec-notes.md.
//
//go:embed cpsim.schema.json
var cpsimSchema []byte

const (
	seedURL  = "https://cpsim.invalid/seed.schema.json"
	cpsimURL = "https://cpsim.invalid/cpsim.schema.json"
)

// definitions maps the names the engine dispatches on to the exact schema
// definition that applies. The seed's root schema cannot be used whole: its
// oneOf alternatives overlap (an interaction also matches the queue
// definition, "rejected" is both a status and a channel_status), so a
// correct message fails it.
var definitions = map[string]string{
	"id":      seedURL + "#/properties/id",
	"type":    seedURL + "#/properties/type",
	"boolean": seedURL + "#/properties/payload/oneOf/0",
	"request": seedURL + "#/definitions/requestMessage",
	"reason":  seedURL + "#/definitions/responseMessage/properties/reason",

	// Response values, by what was asked.
	"ok":            seedURL + "#/definitions/responseMessage/properties/value/oneOf/0",
	"interaction":   seedURL + "#/definitions/interaction",
	"user":          seedURL + "#/definitions/user",
	"queue":         seedURL + "#/definitions/queue",
	"queues":        seedURL + "#/definitions/queues",
	"transcript":    seedURL + "#/definitions/transcript",
	"extension":     seedURL + "#/definitions/extension",
	"interactions":  cpsimURL + "#/definitions/interactions",
	"picklist":      cpsimURL + "#/definitions/picklist",
	"responseValue": cpsimURL + "#/definitions/responseValue",

	// State messages, by attribute.
	"stateAttribute":          seedURL + "#/definitions/stateMessage/properties/attribute",
	"state.status":            seedURL + "#/definitions/interaction/properties/status",
	"state.channel_status":    seedURL + "#/definitions/interaction/properties/channel_status",
	"state.cad":               seedURL + "#/definitions/interaction/properties/attached_data",
	"state.message":           seedURL + "#/definitions/interaction/properties/transcript/properties/messages/items",
	"state.activeInteraction": cpsimURL + "#/definitions/activeInteraction",
	"state.activeExtension":   seedURL + "#/definitions/extension",

	// Status messages, by attribute.
	"statusAttribute":     cpsimURL + "#/definitions/statusAttribute",
	"status.login_status": seedURL + "#/definitions/user/properties/login_status",
	"status.work_status":  seedURL + "#/definitions/user/properties/work_status",
	"status.phone_status": cpsimURL + "#/definitions/phoneStatus",
	"status.profile":      cpsimURL + "#/definitions/profile",
}

// Validator checks messages against the seed's schema, dispatching on type,
// command and attribute to the exact definition that applies. It is built
// once per process and is safe for concurrent use.
type Validator struct {
	defs map[string]*jsonschema.Schema
}

// NewValidator compiles the embedded schemas. It fails only if the embedded
// files are broken, which a test catches before any release.
func NewValidator() (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.Draft = jsonschema.Draft7 // the seed uses draft-7 style "definitions"
	if err := c.AddResource(seedURL, bytes.NewReader(seedSchema)); err != nil {
		return nil, fmt.Errorf("load the seed schema: %w", err)
	}
	if err := c.AddResource(cpsimURL, bytes.NewReader(cpsimSchema)); err != nil {
		return nil, fmt.Errorf("load cpsim's schema: %w", err)
	}
	v := &Validator{defs: make(map[string]*jsonschema.Schema, len(definitions))}
	for name, url := range definitions {
		s, err := c.Compile(url)
		if err != nil {
			return nil, fmt.Errorf("compile schema definition %s: %w", name, err)
		}
		v.defs[name] = s
	}
	return v, nil
}

// Problem is one way in which a message breaks the schema.
type Problem struct {
	Path string // JSON pointer into the message, such as /payload/value/to
	Text string
}

func (p Problem) String() string {
	if p.Path == "" {
		return p.Text
	}
	return p.Path + ": " + p.Text
}

// maxProblems bounds what one message can report: beyond a few, more lines
// hide the first one, which is usually the one to fix.
const maxProblems = 4

// value validates x against the named definition; path is where x sits in
// the message.
func (v *Validator) value(def string, x any, path string) []Problem {
	s, ok := v.defs[def]
	if !ok {
		// A bug in this package, never the message's fault: say so rather
		// than stop the session that sent it.
		return []Problem{{Path: path, Text: "cpsim has no schema definition " + def + " to check this against (a bug in cpsim)"}}
	}
	err := s.Validate(x)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{Path: path, Text: err.Error()}}
	}
	var all []Problem
	explain(ve, path, &all)
	// Deepest first: the problem furthest into the value is the precise one.
	sort.SliceStable(all, func(i, j int) bool {
		di, dj := strings.Count(all[i].Path, "/"), strings.Count(all[j].Path, "/")
		if di != dj {
			return di > dj
		}
		return all[i].Path < all[j].Path
	})
	var out []Problem
	seen := map[string]bool{}
	for _, p := range all {
		if seen[p.String()] {
			continue
		}
		seen[p.String()] = true
		if len(out) == maxProblems {
			out = append(out, Problem{Path: path, Text: "and more problems"})
			break
		}
		out = append(out, p)
	}
	return out
}

// explain turns a validation error tree into the problems worth reading.
// Where a oneOf or anyOf failed, an alternative of the wrong JSON type says
// nothing useful ("expected boolean, but got object" about a value that was
// never meant to be a boolean), so only alternatives of the right type are
// explained; when every alternative has the wrong type, one line says which
// types would do, and enum alternatives are merged into one list.
func explain(ve *jsonschema.ValidationError, base string, out *[]Problem) {
	if len(ve.Causes) == 0 {
		*out = append(*out, Problem{Path: base + ve.InstanceLocation, Text: ve.Message})
		return
	}
	if !strings.HasSuffix(ve.KeywordLocation, "/oneOf") && !strings.HasSuffix(ve.KeywordLocation, "/anyOf") {
		for _, c := range ve.Causes {
			explain(c, base, out)
		}
		return
	}
	var types, enums []string
	var got string
	var rest []*jsonschema.ValidationError
	for _, c := range ve.Causes {
		here := c.InstanceLocation == ve.InstanceLocation && len(c.Causes) == 0
		switch {
		case here && strings.HasSuffix(c.KeywordLocation, "/type"):
			if want, g, ok := strings.Cut(strings.TrimPrefix(c.Message, "expected "), ", but got "); ok {
				types, got = append(types, want), g
				continue
			}
		case here && strings.HasSuffix(c.KeywordLocation, "/enum"):
			if list, ok := strings.CutPrefix(c.Message, "value must be one of "); ok {
				enums = append(enums, list)
				continue
			}
		}
		rest = append(rest, c)
	}
	switch {
	case len(enums) > 0 && len(rest) == 0:
		*out = append(*out, Problem{Path: base + ve.InstanceLocation, Text: "value must be one of " + strings.Join(enums, ", ")})
	case len(rest) > 0:
		for _, c := range rest {
			explain(c, base, out)
		}
	default:
		types = slices.Compact(slices.Sorted(slices.Values(types)))
		*out = append(*out, Problem{Path: base + ve.InstanceLocation, Text: "expected " + strings.Join(types, " or ") + ", but got " + got})
	}
}

// Inbound checks a message an extension sent. It reports schema problems
// only; what cpsim does with the message is the engine's business, so that a
// message the prose allows but the schema does not is still executed.
func (v *Validator) Inbound(msg map[string]any) []Problem {
	var ps []Problem
	switch id, ok := msg["id"]; {
	case !ok:
		ps = append(ps, Problem{Path: "", Text: "missing property 'id'"})
	case !isString(id):
		ps = append(ps, v.value("id", id, "/id")...)
	}
	typ, ok := msg["type"].(string)
	if !ok {
		if _, present := msg["type"]; !present {
			return append(ps, Problem{Text: "missing property 'type'"})
		}
		return append(ps, v.value("type", msg["type"], "/type")...)
	}
	payload, hasPayload := msg["payload"]
	switch typ {
	case "init":
		if hasPayload {
			ps = append(ps, v.value("boolean", payload, "/payload")...)
		}
	case "exit":
		if hasPayload && payload == nil {
			ps = append(ps, Problem{Path: "/payload", Text: "null is not allowed; leave payload out"})
		}
	case "action":
		if !hasPayload {
			ps = append(ps, Problem{Text: "missing property 'payload'"})
		} else if !plainRequest(payload) {
			ps = append(ps, v.value("request", payload, "/payload")...)
		}
	default:
		ps = append(ps, v.value("type", typ, "/type")...)
	}
	return ps
}

func isString(x any) bool {
	_, ok := x.(string)
	return ok
}

// plainRequest reports whether an action payload is certainly valid
// against the seed's requestMessage definition. It recognizes the shapes
// extensions send nearly always, and answers false for anything else, which
// the schema then checks and explains. General validation costs about a
// hundred allocations per message; this costs none. FuzzPlainRequest
// proves that it never accepts what the schema rejects.
func plainRequest(x any) bool {
	p, ok := x.(map[string]any)
	if !ok || len(p) > 3 {
		return false
	}
	for k, v := range p {
		switch k {
		case "command":
			c, ok := v.(string)
			if !ok || !slices.Contains(schemaCommands, c) {
				return false
			}
		case "interactionId":
			if _, ok := v.(string); !ok {
				return false
			}
		case "value":
			if !plainValue(v) {
				return false
			}
		default:
			return false
		}
	}
	_, hasCommand := p["command"]
	_, hasValue := p["value"]
	return hasCommand && hasValue
}

// The enums of the seed's requestMessage, as the schema spells them.
var (
	schemaCommands = []string{"outbound", "detail", "transfer", "consult", "join", "dtmf",
		"message", "visible", "enabled", "expanded", "interaction", "callState"}
	schemaWords = []string{
		"user", "interaction", "queue", "queues", "transcript", "extension", "activeExtension", "activeInteraction",
		"accept", "reject", "pick", "handle", "hangup",
		"startRecording", "stopRecording", "hold", "unhold", "mute", "unmute"}
	schemaChannels = []string{"phone", "sms", "email"}
)

func plainValue(v any) bool {
	switch x := v.(type) {
	case bool:
		return true
	case string:
		return slices.Contains(schemaWords, x)
	case map[string]any:
		for k, f := range x {
			switch k {
			case "to", "content", "from":
				if _, ok := f.(string); !ok {
					return false
				}
			case "channel":
				c, ok := f.(string)
				if !ok || !slices.Contains(schemaChannels, c) {
					return false
				}
			case "direct":
				if _, ok := f.(bool); !ok {
					return false
				}
			case "cad":
				if _, ok := f.(map[string]any); !ok {
					return false
				}
			case "cc", "bcc":
				if !stringList(f) {
					return false
				}
			}
		}
		return true
	}
	return false
}

// Outbound checks a message the panel sends. want names the definition of a
// response value when the sender knows it ("user", "interaction", ...);
// otherwise any of the seed's response alternatives is accepted.
//
// A response echoes the id of the request it answers, whatever its type:
// the inbound check has already warned about a non-string id.
func (v *Validator) Outbound(msg map[string]any, want string) []Problem {
	var ps []Problem
	typ, _ := msg["type"].(string)
	if id, ok := msg["id"]; !ok {
		ps = append(ps, Problem{Text: "missing property 'id'"})
	} else if typ != "response" {
		ps = append(ps, v.value("id", id, "/id")...)
	}
	payload, hasPayload := msg["payload"]
	obj, isObj := payload.(map[string]any)
	switch typ {
	case "response":
		if !isObj {
			return append(ps, Problem{Path: "/payload", Text: "a response carries an object payload with a value"})
		}
		value, ok := obj["value"]
		if !ok {
			return append(ps, Problem{Path: "/payload", Text: "missing property 'value'"})
		}
		if want == "" {
			want = "responseValue"
		}
		ps = append(ps, v.value(want, value, "/payload/value")...)
		if reason, ok := obj["reason"]; ok {
			ps = append(ps, v.value("reason", reason, "/payload/reason")...)
		}
	case "state", "status":
		if !isObj {
			return append(ps, Problem{Path: "/payload", Text: "a " + typ + " message carries an object payload"})
		}
		attr, ok := obj["attribute"].(string)
		if !ok {
			return append(ps, Problem{Path: "/payload/attribute", Text: "missing or not a string"})
		}
		enum := "stateAttribute"
		if typ == "status" {
			enum = "statusAttribute"
		}
		if p := v.value(enum, attr, "/payload/attribute"); p != nil {
			return append(ps, p...)
		}
		if value, ok := obj["value"]; ok {
			def := typ + "." + attr
			if _, known := v.defs[def]; !known && typ == "state" {
				// The seed's state attributes include the agent's
				// (login_status, work_status, phone_status), which the
				// panel sends as status messages: their values are the
				// status definitions'.
				def = "status." + attr
			}
			ps = append(ps, v.value(def, value, "/payload/value")...)
		} else {
			ps = append(ps, Problem{Path: "/payload", Text: "missing property 'value'"})
		}
		if it, ok := obj["interaction"]; ok {
			ps = append(ps, v.value("interaction", it, "/payload/interaction")...)
		}
	case "exit":
		if hasPayload {
			ps = append(ps, Problem{Path: "/payload", Text: "the panel's exit carries no payload"})
		}
	default:
		if _, isString := msg["type"].(string); !isString {
			return append(ps, v.value("type", msg["type"], "/type")...)
		}
		ps = append(ps, Problem{Path: "/type", Text: fmt.Sprintf("the panel does not send %q messages; it sends response, state, status and exit", typ)})
	}
	return ps
}

// decodeJSON decodes one JSON value the way the validator expects it:
// numbers as json.Number, so that none loses precision. Trailing data after
// the value is an error.
func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, jsonError(data, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("unexpected data after the JSON value at byte %d", dec.InputOffset())
	}
	return x, nil
}

// jsonError rephrases encoding/json's errors with the byte offset where
// that helps to find the mistake.
func jsonError(data []byte, err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.Is(err, io.EOF) || len(bytes.TrimSpace(data)) == 0:
		return errors.New("empty message")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("malformed JSON: the message ends early")
	}
	return fmt.Errorf("malformed JSON: %w", err)
}
