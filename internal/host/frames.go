package host

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cpsim/cpsim/internal/state"
)

// The frames of docs/relay.md. Frames the page sends are decoded with
// encoding/json; the frames on the hot path to the page (deliveries and
// log rows) are written by appending bytes, since they carry messages that
// are JSON already and a relay round trip has little time to spare.

// inFrame is any frame the page sends; t says which fields apply.
type inFrame struct {
	T       string          `json:"t"`
	Q       uint64          `json:"q"` // the page's number for an m or e frame
	Session string          `json:"session"`
	Seq     uint64          `json:"seq"`
	Fresh   bool            `json:"fresh"`
	I       string          `json:"i"`
	M       json.RawMessage `json:"m"`
	Bad     string          `json:"bad"`  // why the page could not relay m
	ID      json.RawMessage `json:"id"`   // with bad: the message's id, to answer it
	Drop    string          `json:"drop"` // why the page did not let m through
	N       int64           `json:"n"`
	E       json.RawMessage `json:"e"`
	From    uint64          `json:"from"`
	Rec     json.RawMessage `json:"rec"` // a recording to write as a scenario
	// Named, in a hello, says that session is the name the page was
	// opened with (/?session=NAME): a session of that name is started
	// when cpsim holds none, and a page already on it is taken over.
	Named bool `json:"named"`
	// Embed, in a hello, is the CRM's origin when the page is an
	// embedded panel (embed.go).
	Embed string `json:"embed"`
	// Watcher, in a hello, is the seat a watching page had (its
	// welcome's watcher): it watches again, resuming its numbering
	// (watch.go).
	Watcher string `json:"watcher"`
}

// maxIdleBatch is the largest buffer a session keeps for its next batch.
const maxIdleBatch = 64 << 10

// batch collects the frames of one step; they leave as one websocket
// message per page. The fan-out of a session's frames to its pages is
// here: the hosting page gets every frame (b); the watching pages
// (watch.go) get the same frames but the deliveries, their live log rows
// carrying their messages (w); and the page whose frames the step answers
// gets the answers (r and k frames, its history, the whole text of a row,
// its welcome): in b when it is the hosting page, else in a copy of w of
// its own (o). Nothing is built for watchers when none is connected.
type batch struct {
	b  []byte // the hosting page's message
	n  int
	w  []byte // the message of every watching page but to
	wn int
	o  []byte // to's message: w's frames and its answers
	on int
	// watched says that a watching page other than to is connected: w is
	// built.
	watched bool
	// to is the watching page whose frames the step answers; nil when the
	// step answers the hosting page, or nobody (a timer, a run).
	to *watcher
}

// openFrame starts a frame in buf, a message of n frames so far.
func openFrame(buf []byte, n *int) []byte {
	if *n == 0 {
		buf = append(buf[:0], '[')
	} else {
		buf = append(buf, ',')
	}
	*n++
	return buf
}

func (b *batch) open() { b.b = openFrame(b.b, &b.n) }

// bytes returns the hosting page's message, or nil when there is nothing
// to send.
func (b *batch) bytes() []byte { return closed(b.b, b.n) }

// watchBytes returns the message of the watching pages other than to.
func (b *batch) watchBytes() []byte { return closed(b.w, b.wn) }

// ownBytes returns the message of to, the watching page the step answers.
func (b *batch) ownBytes() []byte { return closed(b.o, b.on) }

// closed is a copy of the frames of buf, as a JSON array; nil for none.
func closed(buf []byte, n int) []byte {
	if n == 0 {
		return nil
	}
	out := make([]byte, len(buf)+1)
	copy(out, buf)
	out[len(buf)] = ']'
	return out
}

func (b *batch) reset() {
	b.b, b.n = b.b[:0], 0
	b.w, b.wn = b.w[:0], 0
	b.o, b.on = b.o[:0], 0
	b.watched, b.to = false, nil
}

// deliver adds a d frame: post m into instance i.
func (b *batch) deliver(seq uint64, inst string, m []byte) {
	b.open()
	b.b = append(b.b, `{"t":"d","seq":`...)
	b.b = strconv.AppendUint(b.b, seq, 10)
	b.b = append(b.b, `,"i":`...)
	b.b = appendString(b.b, inst)
	b.b = append(b.b, `,"m":`...)
	b.b = append(b.b, m...)
	b.b = append(b.b, '}')
}

// logEntry is one inspector row.
type logEntry struct {
	n    uint64
	at   time.Time
	dir  string // "in" or "out"
	inst string
	key  string
	m    []byte // the message; nil when there is none (a note), or when its full text was dropped (cut says it was big)
	pv   []byte // a big message's abridged copy (abridge.go), which the page gets instead of m
	cut  int    // the bytes of m, when it is big enough to be abridged; else 0
	seq  uint64 // the delivery that carried m, for an outgoing message
	raw  string // what the page could not relay as JSON
	diag []state.Diagnostic
	re   uint64  // the request a response answers
	ms   float64 // milliseconds since that request
}

// appendLog writes an l frame. A live row of a delivery names the
// delivery's seq instead of repeating its message, which the same websocket
// message carries in its d frame; a row sent again later (history, after a
// reload) carries the message itself. A big message's row carries its
// abridged copy, with cut, its full size; sz is the bytes of the JSON
// the row's message takes in the page, for the page's own budget.
func appendLog(b []byte, e *logEntry, live bool) []byte {
	b = append(b, `{"t":"l","n":`...)
	b = strconv.AppendUint(b, e.n, 10)
	b = append(b, `,"at":"`...)
	b = e.at.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","dir":"`...)
	b = append(b, e.dir...)
	b = append(b, `","i":`...)
	b = appendString(b, e.inst)
	b = append(b, `,"k":`...)
	b = appendString(b, e.key)
	switch {
	case e.cut > 0:
		b = append(b, `,"m":`...)
		b = append(b, e.pv...)
		b = append(b, `,"cut":`...)
		b = strconv.AppendInt(b, int64(e.cut), 10)
		b = append(b, `,"sz":`...)
		b = strconv.AppendInt(b, int64(len(e.pv)), 10)
	case live && e.seq != 0:
		b = append(b, `,"seq":`...)
		b = strconv.AppendUint(b, e.seq, 10)
		b = append(b, `,"sz":`...)
		b = strconv.AppendInt(b, int64(len(e.m)), 10)
	case e.m != nil:
		b = append(b, `,"m":`...)
		b = append(b, e.m...)
		b = append(b, `,"sz":`...)
		b = strconv.AppendInt(b, int64(len(e.m)), 10)
	}
	if e.raw != "" {
		b = append(b, `,"raw":`...)
		b = appendString(b, e.raw)
	}
	if len(e.diag) > 0 {
		b = append(b, `,"diag":[`...)
		for i, d := range e.diag {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"severity":`...)
			b = appendString(b, string(d.Severity))
			b = append(b, `,"kind":`...)
			b = appendString(b, d.Kind)
			b = append(b, `,"path":`...)
			b = appendString(b, d.Path)
			b = append(b, `,"text":`...)
			b = appendString(b, d.Text)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if e.re != 0 {
		b = append(b, `,"re":`...)
		b = strconv.AppendUint(b, e.re, 10)
		b = append(b, `,"ms":`...)
		b = strconv.AppendFloat(b, e.ms, 'f', 3, 64)
	}
	return append(b, '}')
}

// log adds a live row, for every page: the hosting page's names the
// delivery of the same message by its seq, a watching page's, which gets
// no deliveries, carries the message.
func (b *batch) log(e *logEntry) {
	b.open()
	b.b = appendLog(b.b, e, true)
	if b.watched {
		b.w = appendLog(openFrame(b.w, &b.wn), e, false)
	}
	if b.to != nil {
		b.o = appendLog(openFrame(b.o, &b.on), e, false)
	}
}

// history adds a row sent again (the answer to a log frame), for the page
// that asked.
func (b *batch) history(e *logEntry) {
	if b.to != nil {
		b.o = appendLog(openFrame(b.o, &b.on), e, false)
		return
	}
	b.open()
	b.b = appendLog(b.b, e, false)
}

// marshal encodes a frame built here from plain types.
func marshal(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic("host: unmarshallable frame: " + err.Error()) // frames are built here from plain types
	}
	return data
}

// frame adds a frame for every page of the session, marshalled with
// encoding/json.
func (b *batch) frame(v any) {
	data := marshal(v)
	b.open()
	b.b = append(b.b, data...)
	b.watchers(data)
}

// watchers adds a frame's JSON for the watching pages only.
func (b *batch) watchers(data []byte) {
	if b.watched {
		b.w = append(openFrame(b.w, &b.wn), data...)
	}
	if b.to != nil {
		b.o = append(openFrame(b.o, &b.on), data...)
	}
}

// reply adds a frame for the page whose frames the step answers only.
func (b *batch) reply(v any) {
	data := marshal(v)
	if b.to != nil {
		b.o = append(openFrame(b.o, &b.on), data...)
		return
	}
	b.open()
	b.b = append(b.b, data...)
}

type welcomeFrame struct {
	T       string `json:"t"` // "welcome"
	Session string `json:"session"`
	Resumed bool   `json:"resumed"`
	Seq     uint64 `json:"seq"` // the last delivery assigned
	In      uint64 `json:"in"`  // the last m or e frame of the page processed
	// Watching says the page watches the session another page hosts
	// (watch.go): it gets no deliveries and loads no extensions.
	Watching bool `json:"watching,omitempty"`
	// Watcher names a watching page's seat, for its next hello.
	Watcher string `json:"watcher,omitempty"`
}

// ackFrame tells the page which of its m and e frames are processed.
type ackFrame struct {
	T string `json:"t"` // "k"
	Q uint64 `json:"q"`
}

type viewFrame struct {
	T string          `json:"t"` // "v"
	V json.RawMessage `json:"v"`
}

type resultFrame struct {
	T       string `json:"t"` // "r"
	N       int64  `json:"n"`
	Error   string `json:"error,omitempty"`
	Created string `json:"created,omitempty"`
	YAML    string `json:"yaml,omitempty"`  // answer to rec: the scenario file
	Steps   int    `json:"steps,omitempty"` // answer to rec: how many steps it has
	// Description answers rec: the file's description, which the page
	// shows to edit.
	Description string `json:"description,omitempty"`
}

// moreFrame ends a page of the log's history: rows from Next on are
// left, for the page to ask for.
type moreFrame struct {
	T    string `json:"t"` // "lm"
	Next uint64 `json:"next"`
}

// fullFrame answers the page's full frame: the whole message of log row
// N, or why the session no longer holds it.
type fullFrame struct {
	T    string          `json:"t"` // "full"
	N    uint64          `json:"n"`
	M    json.RawMessage `json:"m,omitempty"`
	Gone string          `json:"gone,omitempty"`
}

type problemsFrame struct {
	T string    `json:"t"` // "p"
	P []Problem `json:"p"`
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				switch c {
				case '\n':
					b = append(b, '\\', 'n')
				case '\r':
					b = append(b, '\\', 'r')
				case '\t':
					b = append(b, '\\', 't')
				default:
					b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
				}
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

const hexDigits = "0123456789abcdef"
