package host

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// The inspector shows every message, and a chat's state messages grow
// with its transcript (each carries the whole interaction, as the API
// says): a 10,000-message chat sends state messages of megabytes. The
// log's rows carry an abridged copy of a big message instead, small
// enough for the page to keep thousands of rows, and the page asks for
// the whole message when the developer opens it (a full frame,
// docs/relay.md) while the session still holds it.

// Abridging limits, in bytes of JSON.
const (
	// abridgeOver is the size from which a message is abridged in the
	// log's rows; smaller ones are shown whole.
	abridgeOver = 4 << 10
	// abridgeTo is about what an abridged message takes: its shape, its
	// first items and the start of its strings.
	abridgeTo = 2 << 10
	// abridgeString is the longest string kept whole in an abridged
	// message.
	abridgeString = 160
	// abridgeDepth is the nesting kept; deeper values are summed up.
	abridgeDepth = 32
)

// abridge returns a preview of the JSON value m: valid JSON of the same
// shape, about abridgeTo bytes, where a string longer than abridgeString
// keeps its start and ends with "… (N more bytes)", an array past the
// budget ends with an element "… N more items", an object past it with a
// key "…" whose value is "N more keys", and a value nested deeper than
// abridgeDepth becomes "… (N bytes nested deeper)". It reports false when
// m is not one valid JSON value; it never reads past m and costs one pass
// over it.
func abridge(m []byte) ([]byte, bool) {
	a := abridger{in: m, out: make([]byte, 0, abridgeTo+256)}
	a.skipSpace()
	if !a.value(0) {
		return nil, false
	}
	a.skipSpace()
	if a.i != len(a.in) || !json.Valid(a.out) {
		return nil, false
	}
	return a.out, true
}

type abridger struct {
	in  []byte
	i   int
	out []byte
}

func (a *abridger) full() bool { return len(a.out) >= abridgeTo }

func (a *abridger) skipSpace() {
	for a.i < len(a.in) {
		switch a.in[a.i] {
		case ' ', '\t', '\n', '\r':
			a.i++
		default:
			return
		}
	}
}

// value copies (abridged) the value at a.i, which follows any space.
func (a *abridger) value(depth int) bool {
	if a.i >= len(a.in) {
		return false
	}
	c := a.in[a.i]
	if depth >= abridgeDepth && (c == '{' || c == '[') {
		start := a.i
		if !a.skipValue() {
			return false
		}
		a.note(strconv.Itoa(a.i-start) + " bytes nested deeper")
		return true
	}
	switch c {
	case '{', '[':
		return a.container(depth, c == '{')
	case '"':
		return a.string()
	default:
		start := a.i
		if !a.scalar() {
			return false
		}
		a.out = append(a.out, a.in[start:a.i]...)
		return true
	}
}

// note appends "… (text)" as a JSON string.
func (a *abridger) note(text string) {
	a.out = append(a.out, `"… (`...)
	a.out = append(a.out, text...)
	a.out = append(a.out, `)"`...)
}

// container copies the object (keyed) or the array at a.i, abridged:
// once the budget is spent it passes the members left, counting them, and
// ends with a note of how many.
func (a *abridger) container(depth int, keyed bool) bool {
	closing := byte(']')
	if keyed {
		closing = '}'
	}
	a.out = append(a.out, a.in[a.i])
	a.i++
	a.skipSpace()
	if a.i < len(a.in) && a.in[a.i] == closing {
		a.i++
		a.out = append(a.out, closing)
		return true
	}
	copied, left := 0, 0
	for {
		if left > 0 || a.full() {
			if keyed && !a.key() {
				return false
			}
			if !a.skipValue() {
				return false
			}
			left++
		} else {
			if copied > 0 {
				a.out = append(a.out, ',')
			}
			a.skipSpace()
			if keyed {
				if a.i >= len(a.in) || a.in[a.i] != '"' || !a.string() {
					return false
				}
				a.skipSpace()
				if a.i >= len(a.in) || a.in[a.i] != ':' {
					return false
				}
				a.i++
				a.out = append(a.out, ':')
				a.skipSpace()
			}
			if !a.value(depth + 1) {
				return false
			}
			copied++
		}
		a.skipSpace()
		if a.i >= len(a.in) {
			return false
		}
		switch a.in[a.i] {
		case ',':
			a.i++
			continue
		case closing:
			a.i++
		default:
			return false
		}
		if left > 0 {
			if copied > 0 {
				a.out = append(a.out, ',')
			}
			if keyed {
				a.out = append(a.out, `"…":"`...)
				a.out = strconv.AppendInt(a.out, int64(left), 10)
				a.out = append(a.out, ` more keys"`...)
			} else {
				a.out = append(a.out, `"… `...)
				a.out = strconv.AppendInt(a.out, int64(left), 10)
				a.out = append(a.out, ` more items"`...)
			}
		}
		a.out = append(a.out, closing)
		return true
	}
}

// string copies the string at a.i, cut after abridgeString bytes of its
// JSON text (at an escape's or a character's boundary).
func (a *abridger) string() bool {
	start := a.i
	a.i++ // "
	cut := -1
	for a.i < len(a.in) {
		if cut < 0 && a.i-start > abridgeString {
			cut = a.i
		}
		switch c := a.in[a.i]; {
		case c == '"':
			a.i++
			if cut < 0 {
				a.out = append(a.out, a.in[start:a.i]...)
				return true
			}
			a.out = append(a.out, a.in[start:cut]...)
			a.out = append(a.out, "… ("...)
			a.out = strconv.AppendInt(a.out, int64(a.i-1-cut), 10)
			a.out = append(a.out, ` more bytes)"`...)
			return true
		case c == '\\':
			if a.i+1 >= len(a.in) {
				return false
			}
			switch a.in[a.i+1] {
			case 'u':
				if a.i+6 > len(a.in) || !isHex4(a.in[a.i+2:a.i+6]) {
					return false
				}
				a.i += 6
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				a.i += 2
			default:
				return false
			}
		case c < 0x20:
			return false
		case c < utf8.RuneSelf:
			a.i++
		default:
			// Invalid UTF-8 passes, as encoding/json lets it through.
			_, size := utf8.DecodeRune(a.in[a.i:])
			a.i += size
		}
	}
	return false
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// scalar passes a number, true, false or null.
func (a *abridger) scalar() bool {
	for _, lit := range [...]string{"true", "false", "null"} {
		if len(a.in)-a.i >= len(lit) && string(a.in[a.i:a.i+len(lit)]) == lit {
			a.i += len(lit)
			return true
		}
	}
	return a.number()
}

// number passes a JSON number (RFC 8259 section 6).
func (a *abridger) number() bool {
	in, i := a.in, a.i
	digits := func() int {
		n := 0
		for i < len(in) && '0' <= in[i] && in[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(in) && in[i] == '-' {
		i++
	}
	switch {
	case i < len(in) && in[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(in) && in[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	a.i = i
	return true
}

// skipString passes the string at a.i, checking it as string does.
func (a *abridger) skipString() bool {
	if a.i >= len(a.in) || a.in[a.i] != '"' {
		return false
	}
	out := a.out
	ok := a.string()
	a.out = out
	return ok
}

// skipValue passes the value at a.i without copying it and with no
// recursion however deep it nests. It follows tokens and depth only, which
// is exact for valid JSON; abridge checks its output, so that invalid
// input (which cpsim never abridges: the frames' messages are decoded
// first) cannot come out as valid-looking JSON.
func (a *abridger) skipValue() bool {
	depth := 0
	for {
		a.skipSpace()
		if a.i >= len(a.in) {
			return false
		}
		switch a.in[a.i] {
		case '{', '[':
			a.i++
			depth++
			continue
		case '}', ']':
			a.i++
			depth--
		case ',', ':':
			if depth == 0 {
				return false
			}
			a.i++
			continue
		case '"':
			if !a.skipString() {
				return false
			}
		default:
			if !a.scalar() {
				return false
			}
		}
		if depth <= 0 {
			return depth == 0
		}
	}
}

// key passes an object's key and its colon.
func (a *abridger) key() bool {
	a.skipSpace()
	if !a.skipString() {
		return false
	}
	a.skipSpace()
	if a.i >= len(a.in) || a.in[a.i] != ':' {
		return false
	}
	a.i++
	return true
}
