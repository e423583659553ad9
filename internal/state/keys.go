package state

// The shape of an extension's action, key by key, for tools that check a
// message, or a pattern of one, before anything is sent: scenario
// expectations refuse a key or a value the API does not have. The engine
// reads the same keys in actions.go; a command or a key the API gains is
// added here and there.

// ActionKeys lists the keys of an action's payload: the properties of the
// schema's requestMessage, then picklist's limit and queueId, which
// production's client library sends (CPC.js picklist).
func ActionKeys() []string {
	return []string{"command", "value", "interactionId", "limit", "queueId"}
}

// ValueKeys lists the keys of an action's value object (outbound, transfer,
// consult, join, message, dtmf): the properties of the schema's request
// value object, and subject, which the seed's outbound example sends and
// the engine reads though the schema lacks it.
func ValueKeys() []string {
	return []string{"to", "content", "from", "subject", "cc", "bcc", "channel", "direct", "cad"}
}

// OutboundChannels lists the channels an outbound may use: the schema's
// enum and WhatsApp, which the prose lists (docs/spec-notes.md #2). A chat
// is started by the customer.
func OutboundChannels() []string {
	return []string{Phone, SMS, WhatsApp, Email}
}

// ValueKind is the kind of value an action of a command carries.
type ValueKind string

// The kinds of an action's value, as the schema's value oneOf has them.
const (
	ValueWord    ValueKind = "word"    // one of ActionValue.Words
	ValueBoolean ValueKind = "boolean" // true or false
	ValueObject  ValueKind = "object"  // an object of ValueKeys
	ValueNone    ValueKind = "none"    // no value (picklist)
)

// ActionValue is what an action of a command carries as its value.
type ActionValue struct {
	Kind  ValueKind
	Words []string // for ValueWord: the words allowed
	// OrID is set when an interaction's id (32 letters and digits) may
	// stand for a word: detail takes one (CPC.js getDetails(id)).
	OrID bool
}

// IsInteractionID reports whether s has the shape of an interaction's id:
// 32 letters and digits.
func IsInteractionID(s string) bool { return idPattern.MatchString(s) }

// ActionValueOf says what value an action of command carries; ok is false
// for a command the API does not have.
func ActionValueOf(command string) (v ActionValue, ok bool) {
	switch command {
	case "detail":
		return ActionValue{Kind: ValueWord, Words: DetailValues(), OrID: true}, true
	case "interaction":
		return ActionValue{Kind: ValueWord, Words: InteractionOps()}, true
	case "callState":
		return ActionValue{Kind: ValueWord, Words: CallStateOps()}, true
	case "visible", "enabled", "expanded":
		return ActionValue{Kind: ValueBoolean}, true
	case "outbound", "transfer", "consult", "join", "message", "dtmf":
		return ActionValue{Kind: ValueObject}, true
	case "picklist":
		return ActionValue{Kind: ValueNone}, true
	}
	return ActionValue{}, false
}
